package io.acktracker.engine.util;

/**
 * Sorts two parallel {@code long} arrays by the first, in place, without boxing. Used when rebuilding ordered
 * indexes on recovery.
 */
public final class ParallelSort
{
    private ParallelSort()
    {
    }

    /**
     * Sort {@code keys[0..length)} ascending, moving {@code values} alongside.
     *
     * @param keys   sort keys.
     * @param values carried values.
     * @param length number of entries.
     */
    public static void sort(final long[] keys, final long[] values, final int length)
    {
        quickSort(keys, values, 0, length - 1);
    }

    private static void quickSort(final long[] keys, final long[] values, final int low, final int high)
    {
        int lo = low;
        int hi = high;
        while (lo < hi)
        {
            if (hi - lo < 16)
            {
                insertionSort(keys, values, lo, hi);
                return;
            }
            final long pivot = median(keys[lo], keys[(lo + hi) >>> 1], keys[hi]);
            int i = lo;
            int j = hi;
            while (i <= j)
            {
                while (keys[i] < pivot)
                {
                    i++;
                }
                while (keys[j] > pivot)
                {
                    j--;
                }
                if (i <= j)
                {
                    swap(keys, values, i++, j--);
                }
            }
            // recurse into the smaller half, loop on the larger: bounded stack depth
            if (j - lo < hi - i)
            {
                quickSort(keys, values, lo, j);
                lo = i;
            }
            else
            {
                quickSort(keys, values, i, hi);
                hi = j;
            }
        }
    }

    private static void insertionSort(final long[] keys, final long[] values, final int lo, final int hi)
    {
        for (int i = lo + 1; i <= hi; i++)
        {
            final long key = keys[i];
            final long value = values[i];
            int j = i - 1;
            while (j >= lo && keys[j] > key)
            {
                keys[j + 1] = keys[j];
                values[j + 1] = values[j];
                j--;
            }
            keys[j + 1] = key;
            values[j + 1] = value;
        }
    }

    private static long median(final long a, final long b, final long c)
    {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    private static void swap(final long[] keys, final long[] values, final int i, final int j)
    {
        final long key = keys[i];
        keys[i] = keys[j];
        keys[j] = key;
        final long value = values[i];
        values[i] = values[j];
        values[j] = value;
    }
}
