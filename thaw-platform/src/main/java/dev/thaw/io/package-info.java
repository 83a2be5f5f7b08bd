/**
 * Operating-system helpers: the recursive delete shared by the stores of the platform's home (snapshots, AOT caches,
 * environment roots), the death guards that clean up after a killed platform, named pipes made without starting a
 * program, the reader of {@code /proc/<pid>/status}, the host's memory ({@code /proc/meminfo} and whether a balloon
 * takes free pages back) and the C library's calls made through the FFM API.
 */
package dev.thaw.io;
