package dev.thaw.invoke;

import dev.thaw.functions.FunctionVersion;

/** The provisioned concurrency the throttle counts on; answered from memory, as it is on every invoke. */
public interface ProvisionedCapacity {
    /** How many provisioned copies {@code version}'s environments should have (0 when none). */
    int copies(FunctionVersion version);

    /** The provisioned concurrency of functions without reserved concurrency, taken out of the unreserved pool. */
    int onUnreservedFunctions();

    ProvisionedCapacity NONE = new ProvisionedCapacity() {
        @Override
        public int copies(FunctionVersion version) {
            return 0;
        }

        @Override
        public int onUnreservedFunctions() {
            return 0;
        }
    };
}
