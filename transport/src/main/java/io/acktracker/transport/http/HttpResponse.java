package io.acktracker.transport.http;

/**
 * A response: status and body.
 *
 * @param status      HTTP status.
 * @param body        the body.
 * @param contentType its media type.
 */
record HttpResponse(int status, String body, String contentType)
{
    static final String JSON = "application/json; charset=utf-8";
    static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    HttpResponse(final int status, final String json)
    {
        this(status, json, JSON);
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
