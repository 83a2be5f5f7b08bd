/**
 * Reading functions' logs as CloudWatch Logs presents them: log groups {@code /aws/lambda/<function>}, one stream
 * per environment, events filtered by time, stream and filter pattern, and the page tokens that let the AWS CLI's
 * {@code aws logs tail --follow} and the SDK's CloudWatchLogsClient page through them. The lines themselves are
 * written and bounded by {@link dev.thaw.environments.FunctionLogs}; this package only reads them. No HTTP here:
 * {@code api/LogsApi} speaks the JSON protocol.
 */
package dev.thaw.logs;
