package io.acktracker.transport.http;

import io.acktracker.engine.api.DestinationRegistry;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code POST /destinations {"names":["a","b"]}}: the HTTP edge's one way to register destination names, off unless
 * the operator allows it ({@code http.register.destinations=true}; refused 403 otherwise). Message commands never
 * register a name (an unknown one is refused 400), so a request that is refused registers nothing, and a client
 * cannot fill the registry's 64 ids as a side effect.
 * <p>
 * All or nothing: every name is checked first (valid, and room for all the new ones), then all are registered while
 * holding the registry's lock, the one its own {@code register} and {@code resolve} take, so a destination's Aeron
 * hello cannot take the last free ids between the check and the registration. The registry's open setting
 * ({@code registry.open}) governs names met on other paths (an Aeron hello); this endpoint is its own explicit
 * permission. Answers 200 with every name's id, the registered ones included.
 * <p>
 * Threading: the HTTP workers; the registry is thread-safe.
 */
final class DestinationCommands
{
    private static final Set<String> MEMBERS = Set.of("names");

    private final DestinationRegistry registry;
    private final boolean allowed;

    DestinationCommands(final DestinationRegistry registry, final boolean allowed)
    {
        this.registry = registry;
        this.allowed = allowed;
    }

    HttpResponse register(final RequestBody body)
    {
        if (!allowed)
        {
            throw new BadRequestException(403, "registering destinations over HTTP is off " +
                "(http.register.destinations=false): name them in the service's destinations setting");
        }
        body.allowOnly(MEMBERS);
        final List<?> names = body.requiredList("names");
        final Set<String> distinct = new LinkedHashSet<>();
        for (final Object name : names)
        {
            if (!(name instanceof String) || !DestinationRegistry.isValidName((String)name))
            {
                throw new BadRequestException("'names': " + (name instanceof String ? "'" + name + "' is not" :
                    "each is") + " a destination name (1.." + DestinationRegistry.MAX_NAME_LENGTH +
                    " printable ASCII characters, no spaces)");
            }
            distinct.add((String)name);
        }
        final StringBuilder out = new StringBuilder("{\"destinations\":[");
        synchronized (registry)
        {
            int added = 0;
            for (final String name : distinct)
            {
                added += DestinationRegistry.UNKNOWN == registry.id(name) ? 1 : 0;
            }
            final int free = DestinationRegistry.MAX_DESTINATIONS - registry.size();
            if (added > free)
            {
                throw new BadRequestException(409, "the destination registry has room for " + free + " more, not " +
                    added + " (a tracker serves at most " + DestinationRegistry.MAX_DESTINATIONS +
                    " destinations); nothing was registered");
            }
            for (final String name : distinct)
            {
                final int id = registry.register(name);
                out.append(out.charAt(out.length() - 1) == '[' ? "" : ",")
                    .append("{\"name\":").append(Json.quote(name)).append(",\"id\":").append(id).append('}');
            }
        }
        return new HttpResponse(200, out.append("]}").toString());
    }
}
