/**
 * Where code packages and snapshot images live beyond one host: the {@link dev.thaw.objects.ObjectStore} (the home
 * alone by default, or an S3-compatible bucket with {@code --object-store}), and the host's bounded cache of what
 * it fetched ({@link dev.thaw.objects.HostCache}, least recently used first, never what is in use).
 *
 * <p>Objects are opaque bytes under keys relative to the store's prefix; what they mean (a package, a snapshot's
 * files and its manifest) and how they are checked after a download belong to the packages that own them. The same
 * endpoint also serves the {@code Code.S3Bucket}/{@code S3Key} of CreateFunction, as S3 does on AWS.
 */
package dev.thaw.objects;
