package dev.thaw.functions;

import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ArnsTest {
    private final Arns arns = new Arns("us-east-1", "123456789012");

    @Test
    void parsesNamesPartialArnsAndFullArnsWithOptionalQualifiers() {
        assertEquals(new Arns.FunctionRef("f", Optional.empty()), arns.parse("f"));
        assertEquals(new Arns.FunctionRef("f", Optional.of("prod")), arns.parse("f:prod"));
        assertEquals(new Arns.FunctionRef("f", Optional.of("3")), arns.parse("123456789012:function:f:3"));
        assertEquals(new Arns.FunctionRef("f", Optional.of("$LATEST")),
                arns.parse("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"));
    }

    @Test
    void anArnOfAnotherAccountOrRegionIsNotFound() {
        ThawException e = assertThrows(ThawException.class,
                () -> arns.parse("arn:aws:lambda:eu-west-1:123456789012:function:f"));
        assertEquals(ErrorCode.RESOURCE_NOT_FOUND, e.code());
    }

    @Test
    void conflictingQualifiersAreRejected() {
        Arns.FunctionRef ref = arns.parse("f:1");
        assertEquals(Optional.of("1"), ref.qualifier("1"));
        assertThrows(ThawException.class, () -> ref.qualifier("2"));
    }

    @Test
    void invalidNamesAreInvalidParameter() {
        ThawException e = assertThrows(ThawException.class, () -> arns.parse("bad name!"));
        assertEquals(ErrorCode.INVALID_PARAMETER_VALUE, e.code());
    }
}
