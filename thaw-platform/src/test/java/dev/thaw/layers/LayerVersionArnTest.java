package dev.thaw.layers;

import dev.thaw.errors.ErrorCode;
import dev.thaw.errors.ThawException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LayerVersionArnTest {

    @Test
    void aLayerVersionArnGivesItsRegionAccountNameAndVersion() {
        LayerVersionArn arn = LayerVersionArn.parse("arn:aws:lambda:eu-west-1:123456789012:layer:my_lib-2:17");
        assertEquals(new LayerVersionArn("eu-west-1", "123456789012", "my_lib-2", 17), arn);
        assertEquals("arn:aws:lambda:eu-west-1:123456789012:layer:my_lib-2", arn.layerArn());
        assertEquals("arn:aws:lambda:eu-west-1:123456789012:layer:my_lib-2:17", arn.toString());
    }

    @Test
    void anArnWithoutAVersionOrOfAFunctionOrMalformedIsAnInvalidParameter() {
        for (String bad : new String[] {"arn:aws:lambda:us-east-1:123456789012:layer:lib",
                "arn:aws:lambda:us-east-1:123456789012:function:lib:1", "lib:1", "",
                "arn:aws:lambda:us-east-1:12345:layer:lib:1", "arn:aws:lambda:us-east-1:123456789012:layer:lib:0",
                "arn:aws:lambda:us-east-1:123456789012:layer:l/b:1"}) {
            ThawException e = assertThrows(ThawException.class, () -> LayerVersionArn.parse(bad), bad);
            assertEquals(ErrorCode.INVALID_PARAMETER_VALUE, e.code(), bad);
        }
        assertEquals(ErrorCode.INVALID_PARAMETER_VALUE,
                assertThrows(ThawException.class, () -> LayerVersionArn.parse(null)).code());
    }

    @Test
    void aPathsLayerNameIsANameOrALayerArnOfThisRegionAndAccount() {
        assertEquals("lib", LayerVersionArn.layerName("lib", "us-east-1", "000000000000"));
        assertEquals("lib", LayerVersionArn.layerName("arn:aws:lambda:us-east-1:000000000000:layer:lib",
                "us-east-1", "000000000000"));
        assertEquals(ErrorCode.RESOURCE_NOT_FOUND, assertThrows(ThawException.class, () -> LayerVersionArn
                .layerName("arn:aws:lambda:eu-west-1:000000000000:layer:lib", "us-east-1", "000000000000")).code());
        assertEquals(ErrorCode.INVALID_PARAMETER_VALUE, assertThrows(ThawException.class, () -> LayerVersionArn
                .layerName("a b", "us-east-1", "000000000000")).code());
    }
}
