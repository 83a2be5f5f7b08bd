/**
 * The JDK AOT-cache mode, Thaw's portable alternative to SnapStart for hosts without CRIU: a java25 function with
 * {@code THAW_AOT_CACHE=on} gets, at PublishVersion, a training INIT whose JVM writes an AOT cache (JEP 483, 514 and
 * 515: loaded and linked classes, method profiles); the version's environments then start with that cache. The
 * cache covers only the built-in class loaders, so its environments put the function's code on the class path as
 * jars. Where the files live and how environments use them is {@link dev.thaw.environments.AotCacheFiles}.
 */
package dev.thaw.aotcache;
