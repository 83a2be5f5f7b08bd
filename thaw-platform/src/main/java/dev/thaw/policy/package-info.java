/**
 * Resource-based policies: AddPermission, RemovePermission and GetPolicy, per function or qualifier. Each
 * statement is built as Lambda builds it (Principal, Action, Resource, Condition) and stored; GetPolicy returns the
 * policy document of all of them. One rule is enforced, as on AWS: a Function URL with AuthType NONE serves only
 * when its policy allows principal {@code *} the action {@code lambda:InvokeFunctionUrl}. Nothing else is evaluated:
 * Invoke calls are not checked against the statements.
 */
package dev.thaw.policy;
