package io.collateralrisk.ltv.ltv;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Facility ids ordered by a long key (a crossing price in millionths, or an instant), then by id:
 * the ordered sets of {@link ShardIndex}.
 *
 * <p>Entries live in a list of sorted chunks of parallel arrays (a one-level B+ tree): about 12
 * bytes an entry plus the chunks' slack, where a {@code TreeSet} of key records costs a tree node
 * and a record, about 64. A full chunk splits in half, or starts a new chunk when the entry goes
 * past either end (so keys arriving in order fill chunks completely); a chunk that falls to a
 * quarter merges with its successor when both fit in three quarters of one.
 *
 * <pre>
 *   chunks:  [ (k1,a) (k1,b) (k3,a) ... ]  [ (k9,c) ... ]  [ ... (kn,z) ]
 *             every entry of a chunk sorts before every entry of the next
 * </pre>
 */
final class IdsByKey {

    static final int CHUNK = 128;

    private Chunk[] chunks = new Chunk[4];
    private int chunkCount;
    private int size;

    private static final class Chunk {
        final long[] keys = new long[CHUNK];
        final String[] ids = new String[CHUNK];
        int size;

        /** The position of (key, id), or {@code -(insertion point) - 1}. */
        int search(long key, String id) {
            int low = 0;
            int high = size - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                int c = compare(keys[mid], ids[mid], key, id);
                if (c < 0) {
                    low = mid + 1;
                } else if (c > 0) {
                    high = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(low + 1);
        }

        /** The first position whose key is at least {@code key}; {@code size} if none. */
        int lowerBound(long key) {
            int low = 0;
            int high = size;
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (keys[mid] < key) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return low;
        }

        void insertAt(int at, long key, String id) {
            System.arraycopy(keys, at, keys, at + 1, size - at);
            System.arraycopy(ids, at, ids, at + 1, size - at);
            keys[at] = key;
            ids[at] = id;
            size++;
        }

        void removeAt(int at) {
            System.arraycopy(keys, at + 1, keys, at, size - at - 1);
            System.arraycopy(ids, at + 1, ids, at, size - at - 1);
            size--;
            ids[size] = null;
        }
    }

    private static int compare(long k1, String id1, long k2, String id2) {
        int c = Long.compare(k1, k2);
        return c != 0 ? c : id1.compareTo(id2);
    }

    int size() {
        return size;
    }

    void clear() {
        chunks = new Chunk[4];
        chunkCount = 0;
        size = 0;
    }

    /** @return false if the entry was already there */
    boolean add(long key, String id) {
        if (chunkCount == 0) {
            Chunk first = new Chunk();
            first.insertAt(0, key, id);
            insertChunk(0, first);
            size++;
            return true;
        }
        int ci = chunkFor(key, id);
        if (ci == chunkCount) {
            ci--; // after every entry: appended to the last chunk
        }
        Chunk chunk = chunks[ci];
        int at = chunk.search(key, id);
        if (at >= 0) {
            return false;
        }
        at = -at - 1;
        if (chunk.size == CHUNK) {
            Chunk next = new Chunk();
            if (at == CHUNK && ci == chunkCount - 1) {
                next.insertAt(0, key, id); // past the end: a new last chunk, this one stays full
                insertChunk(ci + 1, next);
                size++;
                return true;
            }
            if (at == 0 && ci == 0) {
                next.insertAt(0, key, id); // before the start: a new first chunk
                insertChunk(0, next);
                size++;
                return true;
            }
            int half = CHUNK / 2;
            System.arraycopy(chunk.keys, half, next.keys, 0, CHUNK - half);
            System.arraycopy(chunk.ids, half, next.ids, 0, CHUNK - half);
            Arrays.fill(chunk.ids, half, CHUNK, null);
            next.size = CHUNK - half;
            chunk.size = half;
            insertChunk(ci + 1, next);
            if (at > half) {
                chunk = next;
                at -= half;
            }
        }
        chunk.insertAt(at, key, id);
        size++;
        return true;
    }

    /** @return false if the entry was not there */
    boolean remove(long key, String id) {
        int ci = chunkFor(key, id);
        if (ci == chunkCount) {
            return false;
        }
        Chunk chunk = chunks[ci];
        int at = chunk.search(key, id);
        if (at < 0) {
            return false;
        }
        chunk.removeAt(at);
        size--;
        if (chunk.size == 0) {
            removeChunk(ci);
        } else if (chunk.size <= CHUNK / 4 && ci + 1 < chunkCount && chunk.size + chunks[ci + 1].size <= CHUNK * 3 / 4) {
            Chunk next = chunks[ci + 1];
            System.arraycopy(next.keys, 0, chunk.keys, chunk.size, next.size);
            System.arraycopy(next.ids, 0, chunk.ids, chunk.size, next.size);
            chunk.size += next.size;
            removeChunk(ci + 1);
        }
        return true;
    }

    /** Whether some entry has exactly this key. */
    boolean containsKey(long key) {
        int ci = firstChunkWithKeyAtLeast(key);
        if (ci == chunkCount) {
            return false;
        }
        Chunk chunk = chunks[ci];
        int at = chunk.lowerBound(key);
        return at < chunk.size && chunk.keys[at] == key;
    }

    /** The ids of the entries with a key at or above {@code from}, in order. */
    void forEachFrom(long from, Consumer<String> action) {
        int ci = firstChunkWithKeyAtLeast(from);
        if (ci == chunkCount) {
            return;
        }
        Chunk chunk = chunks[ci];
        for (int i = chunk.lowerBound(from); i < chunk.size; i++) {
            action.accept(chunk.ids[i]);
        }
        for (int c = ci + 1; c < chunkCount; c++) {
            chunk = chunks[c];
            for (int i = 0; i < chunk.size; i++) {
                action.accept(chunk.ids[i]);
            }
        }
    }

    /** The ids of the entries with a key below {@code bound}, in order. */
    void forEachBelow(long bound, Consumer<String> action) {
        for (int c = 0; c < chunkCount; c++) {
            Chunk chunk = chunks[c];
            for (int i = 0; i < chunk.size; i++) {
                if (chunk.keys[i] >= bound) {
                    return;
                }
                action.accept(chunk.ids[i]);
            }
        }
    }

    /** The smallest key; {@link Long#MAX_VALUE} when empty. */
    long minKey() {
        return chunkCount == 0 ? Long.MAX_VALUE : chunks[0].keys[0];
    }

    /** The largest key; {@link Long#MIN_VALUE} when empty. */
    long maxKey() {
        if (chunkCount == 0) {
            return Long.MIN_VALUE;
        }
        Chunk last = chunks[chunkCount - 1];
        return last.keys[last.size - 1];
    }

    /** Every id, in order. */
    void forEach(Consumer<String> action) {
        for (int c = 0; c < chunkCount; c++) {
            Chunk chunk = chunks[c];
            for (int i = 0; i < chunk.size; i++) {
                action.accept(chunk.ids[i]);
            }
        }
    }

    /** The first chunk whose last entry is at or after (key, id); {@code chunkCount} if none. */
    private int chunkFor(long key, String id) {
        int low = 0;
        int high = chunkCount;
        while (low < high) {
            int mid = (low + high) >>> 1;
            Chunk c = chunks[mid];
            if (compare(c.keys[c.size - 1], c.ids[c.size - 1], key, id) < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private int firstChunkWithKeyAtLeast(long key) {
        int low = 0;
        int high = chunkCount;
        while (low < high) {
            int mid = (low + high) >>> 1;
            Chunk c = chunks[mid];
            if (c.keys[c.size - 1] < key) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private void insertChunk(int at, Chunk chunk) {
        if (chunkCount == chunks.length) {
            chunks = Arrays.copyOf(chunks, chunks.length + (chunks.length >> 1) + 1);
        }
        System.arraycopy(chunks, at, chunks, at + 1, chunkCount - at);
        chunks[at] = chunk;
        chunkCount++;
    }

    private void removeChunk(int at) {
        System.arraycopy(chunks, at + 1, chunks, at, chunkCount - at - 1);
        chunks[--chunkCount] = null;
    }
}
