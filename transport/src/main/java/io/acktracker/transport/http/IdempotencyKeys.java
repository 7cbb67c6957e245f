package io.acktracker.transport.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The answers of state-changing requests that carried an {@code Idempotency-Key} header, so a client that retries
 * after a timeout (or a lost answer) gets the first answer again instead of applying the command twice. A key is
 * bound to its request (endpoint and body): the same key with another request is answered 422 and changes nothing.
 * A retry that arrives while the first is still being applied waits for its answer.
 * <p>
 * Bounded: the newest {@code capacity} keys are kept (the oldest forgotten first), within one run of the service.
 * Across a restart the commands' own identity takes over: a retried Track whose first attempt was applied is refused
 * DUPLICATE_TRACK (409), an ack is idempotent, a receipt handle settles once.
 * <p>
 * Threading: the HTTP workers, concurrently (one lock around the map; the command runs outside it).
 */
final class IdempotencyKeys
{
    /** Longest key accepted. */
    static final int MAX_KEY_LENGTH = 128;

    private final int capacity;
    private final long waitMs;
    private final Map<String, Entry> answers;

    private record Entry(String request, CompletableFuture<HttpResponse> answer)
    {
    }

    /**
     * @param capacity most keys remembered.
     * @param waitMs   how long a retry waits for the first attempt's answer.
     */
    IdempotencyKeys(final int capacity, final long waitMs)
    {
        this.capacity = capacity;
        this.waitMs = waitMs;
        this.answers = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, false)
        {
            protected boolean removeEldestEntry(final Map.Entry<String, Entry> eldest)
            {
                return size() > IdempotencyKeys.this.capacity;
            }
        };
    }

    /**
     * Check a key's form: 1 to {@link #MAX_KEY_LENGTH} printable ASCII characters.
     *
     * @param key the header's value.
     * @throws BadRequestException 400 when it is not.
     */
    static void check(final String key)
    {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch((c) -> c > ' ' && c <= '~'))
        {
            throw new BadRequestException("'Idempotency-Key' must be 1 to " + MAX_KEY_LENGTH +
                " printable ASCII characters");
        }
    }

    /**
     * The answer to a request with a key: the first attempt's, or this one's when it is the first.
     *
     * @param key     the key.
     * @param request what the request asks (endpoint and body), to bind the key to.
     * @param command applies the request and answers it.
     * @param replays counts an answer given again.
     * @return the answer.
     */
    HttpResponse answer(final String key, final String request, final Supplier<HttpResponse> command,
        final Runnable replays)
    {
        final CompletableFuture<HttpResponse> mine = new CompletableFuture<>();
        final Entry first;
        synchronized (answers)
        {
            first = answers.putIfAbsent(key, new Entry(request, mine));
        }
        if (null != first)
        {
            if (!first.request().equals(request))
            {
                return HttpResponse.error(422, "'Idempotency-Key' " + key + " was used for another request");
            }
            replays.run();
            return await(first.answer());
        }
        try
        {
            final HttpResponse response = command.get();
            mine.complete(response);
            return response;
        }
        catch (final BadRequestException ex)
        {
            // a refusal before anything was applied: the key may be used again
            forget(key, mine);
            mine.completeExceptionally(ex);
            throw ex;
        }
        catch (final RuntimeException | Error ex)
        {
            forget(key, mine);
            mine.completeExceptionally(ex);
            throw ex;
        }
    }

    private void forget(final String key, final CompletableFuture<HttpResponse> mine)
    {
        synchronized (answers)
        {
            final Entry entry = answers.get(key);
            if (null != entry && entry.answer() == mine)
            {
                answers.remove(key);
            }
        }
    }

    private HttpResponse await(final CompletableFuture<HttpResponse> answer)
    {
        try
        {
            return answer.get(waitMs, TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new BadRequestException(503, "the first request with this 'Idempotency-Key' is still being " +
                "applied; retry");
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof BadRequestException)
            {
                throw (BadRequestException)ex.getCause();
            }
            throw new BadRequestException(503, String.valueOf(ex.getCause().getMessage()));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new BadRequestException(503, "interrupted while waiting for the first request's answer");
        }
    }
}
