package io.acktracker.transport.http;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest
{
    @Test
    void shouldReadAnObjectIntoMapsListsStringsLongsBooleansAndNulls()
    {
        final Map<String, Object> object = Json.parseObject(
            " {\"id\": 1, \"names\": [\"a\", \"b\\n\"], \"on\": true, \"none\": null, \"inner\": {\"x\": -2}} ");

        assertThat(object.keySet()).containsExactly("id", "names", "on", "none", "inner");
        assertThat(object).containsEntry("id", 1L).containsEntry("names", List.of("a", "b\n"))
            .containsEntry("on", true).containsEntry("inner", Map.of("x", -2L));
        assertThat(object.get("none")).isNull();
    }

    @Test
    void shouldRefuseWhatNoRequestCarries()
    {
        assertThatThrownBy(() -> Json.parseObject("{\"a\": 1, \"a\": 2}")).isInstanceOf(BadRequestException.class)
            .hasMessageContaining("malformed JSON").hasMessageContaining("Duplicate field 'a'");
        assertThatThrownBy(() -> Json.parseObject("{\"a\": 1} {")).hasMessageContaining("after the object");
        assertThatThrownBy(() -> Json.parseObject("{\"a\": 1.5}")).hasMessageContaining("integers");
        assertThatThrownBy(() -> Json.parseObject("{\"a\": 99999999999999999999}")).hasMessageContaining("too large");
        assertThatThrownBy(() -> Json.parseObject("{\"a\": [1, 2}")).hasMessageContaining("malformed JSON at offset");
        assertThatThrownBy(() -> Json.parseObject("{\"a\": ")).hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> Json.parseObject("[1]")).hasMessage("body must be a JSON object");
        assertThatThrownBy(() -> Json.parseObject("")).hasMessage("body must be a JSON object");
        assertThatThrownBy(() -> Json.parseObject("{\"a\":".repeat(20) + "1" + "}".repeat(20)))
            .hasMessageContaining("nested too deeply");
        assertThat(Json.parseObject("{\"a\":".repeat(7) + "1" + "}".repeat(7))).containsKey("a");
    }
}
