package io.acktracker.transport.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response: status, body, its media type and any further headers.
 *
 * @param status      HTTP status.
 * @param body        the body.
 * @param contentType its media type.
 * @param headers     further response headers, name to value.
 */
record HttpResponse(int status, String body, String contentType, Map<String, String> headers)
{
    static final String JSON = "application/json; charset=utf-8";

    HttpResponse(final int status, final String json)
    {
        this(status, json, JSON);
    }

    HttpResponse(final int status, final String body, final String contentType)
    {
        this(status, body, contentType, Map.of());
    }

    /**
     * The same response with one more header.
     *
     * @param name  header name.
     * @param value its value.
     * @return a new response.
     */
    HttpResponse withHeader(final String name, final String value)
    {
        final Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HttpResponse(status, body, contentType, Map.copyOf(more));
    }

    /**
     * A one-line JSON error.
     *
     * @param status  4xx or 5xx.
     * @param message what was wrong.
     * @return the response.
     */
    static HttpResponse error(final int status, final String message)
    {
        return new HttpResponse(status, "{\"error\":" + Json.quote(message) + "}");
    }
}
