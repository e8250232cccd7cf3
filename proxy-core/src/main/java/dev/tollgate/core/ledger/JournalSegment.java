package dev.tollgate.core.ledger;

import io.netty.util.internal.PlatformDependent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One journal segment file while it is written, mapped whole into memory. Records are copied into the
 * mapping: that is a write to the file's pages in the page cache, as {@code write} would make, so a record
 * survives the process being killed once it is copied in, and appending takes no system call. While the
 * segment is open the file is as long as its mapping, and zeros follow its records; {@link #close} cuts it
 * after its last record, and after a crash the journal's open does (zeros read as the end of the records).
 *
 * <p>Not thread-safe: the journal's lock or its writer thread owns a segment. {@link #force} may run on
 * another thread while records are copied in; only the thread that forces a segment may close it, except
 * an empty one, which is never forced.
 */
final class JournalSegment {

  private final Path file;
  private final FileChannel channel;
  private final MappedByteBuffer map;
  private int end;

  private JournalSegment(Path file, FileChannel channel, MappedByteBuffer map, int end) {
    this.file = file;
    this.channel = channel;
    this.map = map;
    this.end = end;
  }

  /**
   * Opens {@code file} (created if missing) for appending after whatever it holds, mapped with room for
   * {@code capacity} bytes in all (more if it already holds more). Blocking, but no disk I/O: the file
   * grows sparse, and its pages are made as records reach them.
   */
  static JournalSegment open(Path file, int capacity) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    try {
      long size = channel.size();
      if (size > Integer.MAX_VALUE - capacity) {
        throw new IOException("journal segment " + file + " is too long to map: " + size + " bytes");
      }
      MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, Math.max(capacity, size));
      return new JournalSegment(file, channel, map, (int) size);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Bytes of records in the segment. */
  int end() {
    return end;
  }

  /** Room left for records. */
  int room() {
    return map.capacity() - end;
  }

  /**
   * Copies {@code records} (position to limit) after the last record. Fails, with nothing counted as
   * written, when they do not fit or the file's pages cannot be had (a full disk: the mapping's fault).
   */
  void append(ByteBuffer records) throws IOException {
    int length = records.remaining();
    if (length > room()) {
      throw new IOException("journal segment " + file + ": " + length + " bytes do not fit in " + room());
    }
    try {
      map.put(end, records, records.position(), length);
    } catch (InternalError e) { // how the JVM reports a fault in a mapped region (SIGBUS: no disk space)
      throw new IOException("cannot write to journal segment " + file + " (is the disk full?)", e);
    }
    records.position(records.limit());
    end += length;
  }

  /** Writes the segment's changed pages to the disk and waits for them (msync). */
  void force() throws IOException {
    try {
      map.force();
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Unmaps the segment and cuts the file after its last record. The segment is not forced here. */
  void close() throws IOException {
    try {
      unmap();
      channel.truncate(end);
    } finally {
      channel.close();
    }
  }

  /** Unmaps the segment and leaves the file as it is, zeros and all, as a crash would. */
  void abandon() throws IOException {
    try {
      unmap();
    } finally {
      channel.close();
    }
  }

  /** Unmaps now where the JVM lets Netty's cleaner do it; elsewhere the mapping goes with the buffer, at a GC. */
  private void unmap() {
    try {
      PlatformDependent.freeDirectBuffer(map);
    } catch (RuntimeException e) {
      // not unmapped now: nothing reads or writes the buffer after this, so the later unmap is harmless
    }
  }

  Path file() {
    return file;
  }
}
