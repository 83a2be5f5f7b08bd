package dev.thaw.examples.layers.greeting;

/** A library shipped in a layer (java/lib/greeting.jar), not in the function's package. */
public final class Greeting {
    private Greeting() {
    }

    public static String greet(String salutation, String name) {
        return salutation + ", " + name + "! (from the greeting layer)";
    }
}
