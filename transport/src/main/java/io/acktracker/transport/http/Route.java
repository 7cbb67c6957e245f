package io.acktracker.transport.http;

import com.sun.net.httpserver.Headers;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A path of the {@link HttpEdge}: reads take the URI (and the headers), commands the parsed JSON body.
 *
 * @param changesState true for a command (POST), false for a read (GET and HEAD).
 * @param read         answers a read, null for a command.
 * @param command      answers a command, null for a read.
 */
record Route(boolean changesState, BiFunction<URI, Headers, HttpResponse> read,
    Function<RequestBody, HttpResponse> command)
{
    static final String GET = "GET";
    static final String HEAD = "HEAD";
    static final String POST = "POST";

    static Route read(final Function<URI, HttpResponse> read)
    {
        return new Route(false, (uri, headers) -> read.apply(uri), null);
    }

    static Route read(final BiFunction<URI, Headers, HttpResponse> read)
    {
        return new Route(false, read, null);
    }

    static Route command(final Function<RequestBody, HttpResponse> command)
    {
        return new Route(true, null, command);
    }

    /**
     * A cluster member's routes: its state changes only through the cluster's log, so every state-changing path
     * answers 403 and says where commands go; the reads answer as on a single tracker.
     *
     * @param routes a tracker's routes.
     * @return the same paths, every command refused.
     */
    static Map<String, Route> readOnly(final Map<String, Route> routes)
    {
        final Route refused = command((body) -> HttpResponse.error(403, "this is a member of a replicated " +
            "tracker: its state changes only through the cluster's log; send commands to the cluster's ingress (the " +
            "client helpers in cluster mode)"));
        final Map<String, Route> readOnly = new HashMap<>();
        routes.forEach((path, route) -> readOnly.put(path, route.changesState() ? refused : route));
        return Map.copyOf(readOnly);
    }

    boolean allows(final String method)
    {
        return changesState ? POST.equals(method) : GET.equals(method) || HEAD.equals(method);
    }

    String allow()
    {
        return changesState ? POST : GET + ", " + HEAD;
    }
}
