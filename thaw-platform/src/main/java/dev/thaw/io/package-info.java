/** File-system helpers shared by the stores of the platform's home (snapshots, AOT caches, environment roots). */
package dev.thaw.io;
