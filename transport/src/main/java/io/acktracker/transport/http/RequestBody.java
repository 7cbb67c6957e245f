package io.acktracker.transport.http;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed, checked access to the members of a JSON request body. Every getter refuses a wrong type or range with a
 * {@link BadRequestException} naming the member, and {@link #allowOnly} refuses members a request does not take,
 * so a misspelt field is an error rather than silently ignored.
 * <p>
 * Threading: the request's thread.
 */
final class RequestBody
{
    private final Map<String, Object> members;

    RequestBody(final Map<String, Object> members)
    {
        this.members = members;
    }

    static RequestBody parse(final String text)
    {
        return new RequestBody(Json.parseObject(text));
    }

    RequestBody allowOnly(final Set<String> names)
    {
        for (final String name : members.keySet())
        {
            if (!names.contains(name))
            {
                throw new BadRequestException("unknown member '" + name + "'; expected some of " +
                    String.join(", ", names.stream().sorted().toList()));
            }
        }
        return this;
    }

    boolean has(final String name)
    {
        return null != members.get(name);
    }

    long requiredLong(final String name)
    {
        final Object value = members.get(name);
        if (!(value instanceof Long))
        {
            throw new BadRequestException("'" + name + "' is required and must be an integer");
        }
        return (Long)value;
    }

    int requiredInt(final String name)
    {
        final long value = requiredLong(name);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE)
        {
            throw new BadRequestException("'" + name + "' must fit in 32 bits");
        }
        return (int)value;
    }

    Object raw(final String name)
    {
        return members.get(name);
    }

    long optionalLong(final String name, final long defaultValue)
    {
        return has(name) ? requiredLong(name) : defaultValue;
    }

    int optionalInt(final String name, final int defaultValue, final int min, final int max)
    {
        final long value = optionalLong(name, defaultValue);
        if (value < min || value > max)
        {
            throw new BadRequestException("'" + name + "' must be within " + min + ".." + max);
        }
        return (int)value;
    }

    long optionalNonNegative(final String name)
    {
        final long value = optionalLong(name, 0);
        if (value < 0)
        {
            throw new BadRequestException("'" + name + "' must not be negative");
        }
        return value;
    }

    String requiredString(final String name)
    {
        final Object value = members.get(name);
        if (!(value instanceof String) || ((String)value).isEmpty())
        {
            throw new BadRequestException("'" + name + "' is required and must be a non-empty string");
        }
        return (String)value;
    }

    List<?> requiredList(final String name)
    {
        final Object value = members.get(name);
        if (!(value instanceof List) || ((List<?>)value).isEmpty())
        {
            throw new BadRequestException("'" + name + "' is required and must be a non-empty array");
        }
        return (List<?>)value;
    }
}
