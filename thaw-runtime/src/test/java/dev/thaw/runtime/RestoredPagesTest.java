package dev.thaw.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestoredPagesTest {

    private static final String MAPS = String.join("\n",
            "00400000-00401000 r-xp 00000000 fd:01 1234                               /usr/bin/java",
            "00600000-00621000 rw-p 00000000 00:00 0                                  [heap]",
            "7f0000000000-7f0000400000 rw-p 00000000 00:00 0 ",
            "7f0000400000-7f0000800000 ---p 00000000 00:00 0 ",
            "7f0000800000-7f0000900000 rwxp 00000000 00:00 0",
            "7f0000900000-7f0000a00000 rw-s 00000000 00:01 77                         /dev/zero (deleted)",
            "7f0000a00000-7f0000b00000 rw-s 00000000 00:05 78                         /memfd:buffer (deleted)",
            "7f0000b00000-7f0000c00000 r--p 00000000 fd:01 99                         /usr/lib/jvm/lib/server/classes.jsa",
            "7f0000c00000-7f0000c01000 rw-p 00000000 00:00 0                          [anon:java heap]",
            "7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]",
            "7ffc00100000-7ffc00104000 r--p 00000000 00:00 0                          [vvar]",
            "7ffc00104000-7ffc00106000 r-xp 00000000 00:00 0                          [vdso]",
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]");

    @Test
    void onlyReadablePrivateAnonymousMemoryIsRead() {
        List<RestoredPages.Mapping> read = RestoredPages.privateAnonymous(MAPS);

        assertEquals(List.of(0x00600000L, 0x7f0000000000L, 0x7f0000800000L, 0x7f0000c00000L, 0x7ffc00000000L),
                read.stream().map(RestoredPages.Mapping::start).toList(),
                "the heap, plain and executable anonymous memory, a named anonymous area and the stack; "
                        + "no files, no shared memory, no reserved (---p) range, no kernel mapping");
        assertEquals(0x7f0000400000L, read.get(1).end());
    }

    @Test
    void aLineThatIsNotAMappingIsSkipped() {
        assertEquals(List.of(), RestoredPages.privateAnonymous("garbage\n\nzz-yy rw-p 0 0 0\n"));
    }

    @Test
    void readingThisProcessReadsResidentPagesAndFaultsInNoNewOnes() throws IOException {
        byte[] resident = new byte[8 << 20];
        java.util.Arrays.fill(resident, (byte) 1);
        long before = CheckpointPreparation.anonymousKb();

        RestoredPages.Touched touched = RestoredPages.touchResident();

        long growthKb = CheckpointPreparation.anonymousKb() - before;
        assertTrue(touched.pages() > (8 << 20) / 4096, "at least the 8 MB array's pages: " + touched.pages());
        // The JVM's committed but untouched heap is far larger than this bound: reading it would fault it all in.
        assertTrue(growthKb < 8 * 1024, "anonymous memory grew by " + growthKb + " kB");
        assertEquals(1, resident[resident.length - 1]);
    }
}
