/**
 * Function tags: TagResource, UntagResource, ListTags and the Tags of CreateFunction and GetFunction, validated as
 * Lambda validates them and kept in the metadata store. Thaw stores tags and acts on none of them.
 */
package dev.thaw.tags;
