package thawtest.fnlib;

/** Packed into the test function's lib/greeter.jar: proves lib/*.jar is on the function's class path. */
public final class Greeter {

    private Greeter() {
    }

    public static String greet(String name) {
        return "hello " + name + " from lib";
    }
}
