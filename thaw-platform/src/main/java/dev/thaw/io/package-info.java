/**
 * Operating-system helpers: the recursive delete shared by the stores of the platform's home (snapshots, AOT caches,
 * environment roots), the death guards that clean up after a killed platform, named pipes made without starting a
 * program, and the reader of {@code /proc/<pid>/status} and of the host's memory ({@code /proc/meminfo}).
 */
package dev.thaw.io;
