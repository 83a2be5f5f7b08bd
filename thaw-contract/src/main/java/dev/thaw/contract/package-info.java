/**
 * The contract between the platform and the runtime inside an environment, in one Java 17 class both compile
 * against ({@link dev.thaw.contract.RuntimeContract}): Thaw's additions to the Runtime API, the restore line a
 * restored copy reads, and the environment variables only the platform sets. The runtime carries it in its jar.
 */
package dev.thaw.contract;
