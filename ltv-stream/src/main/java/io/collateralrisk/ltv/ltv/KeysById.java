package io.collateralrisk.ltv.ltv;

/**
 * The keys each facility is filed under in {@link ShardIndex}, by facility id: what the index
 * needs to find a facility's entries again when it is re-indexed or removed.
 *
 * <p>An open-addressing table with linear probing over parallel arrays ({@value #KEYS} longs a
 * slot beside the id's reference), kept between 53% and 80% full: about 28 bytes a slot, where a
 * {@code HashMap} of records costs a node, a table slot and a record. The id objects are the
 * caller's, never copied. Removal shifts the following entries back, so there are no tombstones.
 */
final class KeysById {

    static final int KEYS = 3;
    private static final int MIN_CAPACITY = 16;
    private static final double MAX_LOAD = 0.8;

    private String[] ids;
    private long[] keys;
    private int size;
    private int growAt;

    KeysById() {
        allocate(MIN_CAPACITY);
    }

    int size() {
        return size;
    }

    void clear() {
        ids = null;
        keys = null;
        allocate(MIN_CAPACITY);
        size = 0;
    }

    /** The slot holding {@code id}, or -1. Valid until the next {@link #put} or {@link #removeAt}. */
    int slotOf(String id) {
        int hash = id.hashCode();
        for (int i = home(hash); ; i = next(i)) {
            String at = ids[i];
            if (at == null) {
                return -1;
            }
            if (at == id || (at.hashCode() == hash && at.equals(id))) {
                return i;
            }
        }
    }

    /** The id object filed in {@code slot}. */
    String idAt(int slot) {
        return ids[slot];
    }

    long key(int slot, int which) {
        return keys[slot * KEYS + which];
    }

    /** Files {@code id} under three keys, replacing the ones it had (the filed id object stays). */
    void put(String id, long k0, long k1, long k2) {
        if (size >= growAt) {
            allocate((int) Math.min(Integer.MAX_VALUE - 8, (long) ids.length * 3 / 2));
        }
        int hash = id.hashCode();
        int i = home(hash);
        while (ids[i] != null && !(ids[i] == id || (ids[i].hashCode() == hash && ids[i].equals(id)))) {
            i = next(i);
        }
        if (ids[i] == null) {
            ids[i] = id;
            size++;
        }
        keys[i * KEYS] = k0;
        keys[i * KEYS + 1] = k1;
        keys[i * KEYS + 2] = k2;
    }

    /** Empties {@code slot}, moving back the entries of the probe run behind it. */
    void removeAt(int slot) {
        int hole = slot;
        int j = slot;
        while (true) {
            j = next(j);
            String id = ids[j];
            if (id == null) {
                break;
            }
            int home = home(id.hashCode());
            // The entry at j may fill the hole unless its home lies (cyclically) in (hole, j].
            boolean homeAfterHole = hole <= j ? home > hole && home <= j : home > hole || home <= j;
            if (!homeAfterHole) {
                ids[hole] = id;
                System.arraycopy(keys, j * KEYS, keys, hole * KEYS, KEYS);
                hole = j;
            }
        }
        ids[hole] = null;
        size--;
    }

    private int home(int hash) {
        // Fibonacci mixing, then the high 32 bits scaled to the capacity (no power of two needed).
        return (int) (((hash * 0x9E3779B9) & 0xFFFFFFFFL) * ids.length >>> 32);
    }

    private int next(int i) {
        return i + 1 == ids.length ? 0 : i + 1;
    }

    private void allocate(int capacity) {
        String[] oldIds = ids;
        long[] oldKeys = keys;
        ids = new String[capacity];
        keys = new long[capacity * KEYS];
        growAt = (int) (capacity * MAX_LOAD);
        if (oldIds == null) {
            return;
        }
        for (int slot = 0; slot < oldIds.length; slot++) {
            String id = oldIds[slot];
            if (id != null) {
                int i = home(id.hashCode());
                while (ids[i] != null) {
                    i = next(i);
                }
                ids[i] = id;
                System.arraycopy(oldKeys, slot * KEYS, keys, i * KEYS, KEYS);
            }
        }
    }
}
