package dev.tollgate.core.ledger;

import dev.tollgate.core.usage.TokenUsage;
import dev.tollgate.core.usage.UsageEvent;
import dev.tollgate.core.usage.UsageSink;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.ThreadExecutorMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only, crash-safe journal of billable usage events. Two sync policies
 * ({@link LedgerConfig#fsyncEachBatch()}):
 * <ul>
 *   <li><b>write-durable</b> (default in the gateway): the appending thread, an event loop, encodes the
 *   record and copies it into the segment's mapping itself (see {@link JournalSegment}), under a short
 *   lock that keeps sequence order, and the record is durable at once (the page cache survives kill -9;
 *   no system call, no fsync, no thread hop). The writer thread ({@code tollgate-usage-journal}) fsyncs
 *   written records in the background, at most every {@link #BACKGROUND_FSYNC_MILLIS} ms, and closes the
 *   segments the appending threads left behind;</li>
 *   <li><b>fsync-durable</b>: event loops enqueue records without blocking; the writer thread writes
 *   whatever has queued and calls {@code force} once per batch (group commit), then completes the
 *   batch's futures.</li>
 * </ul>
 *
 * <p>File layout: segments {@code usage-<firstSeq>.journal} in the journal directory; each record is
 * {@code [int payloadLength][int crc32c(payload)][payload]}, the payload starting with its sequence
 * number. Replay stops a segment at the first short or corrupt record (a torn tail after a crash).
 */
public final class UsageJournal implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UsageJournal.class);
  private static final String PREFIX = "usage-";
  private static final String SUFFIX = ".journal";
  private static final int HEADER_BYTES = 8;
  private static final int MAX_PAYLOAD_BYTES = 64 * 1024;
  private static final int MAX_STRING_BYTES = 4096;
  /** The longest segment: one mapping. */
  static final long MAX_SEGMENT_BYTES = 1L << 30;
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final Path dir;
  private final long segmentMaxBytes;
  private final int maxBatchRecords;
  private final int maxQueuedRecords;
  private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong forces = new AtomicLong();
  private final AtomicLong appended = new AtomicLong();
  private final Thread writer;
  /** Write-durable mode: segments the appending threads have left, for the writer to force and close. */
  private final Queue<JournalSegment> retired = new ConcurrentLinkedQueue<>();
  /** Write-durable mode: guards the file and the encoding state for the appending threads. */
  private final java.util.concurrent.locks.ReentrantLock inlineLock = new java.util.concurrent.locks.ReentrantLock();
  /** Write-durable mode: records were written since the last background fsync. */
  private volatile boolean unforced;
  private volatile boolean writerParked;
  private volatile boolean closed;
  private volatile RecordListener listener = (seq, event) -> { };
  private volatile Runnable beforeForce = () -> { };
  /** Sync policy: see {@link LedgerConfig#fsyncEachBatch()}. */
  private volatile boolean fsyncEachBatch = true;
  /** Without an fsync per batch, the writer still fsyncs at most this often while records arrive. */
  public static final long BACKGROUND_FSYNC_MILLIS = 200;
  // Writer-thread state (fsync-durable mode); guarded by inlineLock in write-durable mode.
  private JournalSegment segment;
  private long nextSeq;
  private ByteBuffer batchBuffer = ByteBuffer.allocate(64 * 1024);
  private static final int REMEMBERED_FIELDS = 6;
  /** Per field of a record, the last string found to be ASCII (see {@link #putString}). */
  private final String[] lastAscii = new String[REMEMBERED_FIELDS];

  private UsageJournal(Path dir, long nextSeq, long segmentMaxBytes, int maxBatchRecords, int maxQueuedRecords) {
    this.dir = dir;
    this.nextSeq = nextSeq;
    this.segmentMaxBytes = segmentMaxBytes;
    this.maxBatchRecords = maxBatchRecords;
    this.maxQueuedRecords = maxQueuedRecords;
    this.writer = new Thread(this::runWriter, "tollgate-usage-journal");
    this.writer.setDaemon(true);
  }

  /**
   * Opens the journal in {@code dir} (created if needed) without starting the writer: call
   * {@link #replay} first, then {@link #start}. New records get sequence numbers above both the last
   * record on disk and {@code minSeqExclusive} (the ledger's checkpoint). Blocking; call at startup.
   */
  static UsageJournal open(Path dir, long minSeqExclusive, long segmentMaxBytes, int maxBatchRecords,
      int maxQueuedRecords) {
    Objects.requireNonNull(dir, "dir");
    if (segmentMaxBytes < 4096 || segmentMaxBytes > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException("segmentMaxBytes: " + segmentMaxBytes + " (expected: 4096 to "
          + MAX_SEGMENT_BYTES + ", a segment is mapped whole)");
    }
    if (maxBatchRecords <= 0) {
      throw new IllegalArgumentException("maxBatchRecords: " + maxBatchRecords + " (expected: > 0)");
    }
    if (maxQueuedRecords <= 0) {
      throw new IllegalArgumentException("maxQueuedRecords: " + maxQueuedRecords + " (expected: > 0)");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create journal directory " + dir, e);
    }
    long lastOnDisk = Long.MIN_VALUE;
    for (Path file : segments(dir)) {
      lastOnDisk = Math.max(lastOnDisk, truncateTornTail(file));
    }
    long next = Math.max(lastOnDisk, minSeqExclusive) + 1;
    return new UsageJournal(dir, next, segmentMaxBytes, maxBatchRecords, maxQueuedRecords);
  }

  /**
   * Feeds every intact record with a sequence number above {@code afterSeq} to {@code consumer}, in
   * order, and returns the highest sequence number seen (or {@code afterSeq} if none). Blocking.
   */
  long replay(long afterSeq, RecordListener consumer) {
    return Math.max(afterSeq, replayInto(segments(dir), afterSeq, consumer));
  }

  /** Starts the writer; {@code listener} sees every record once it is durable. */
  void start(RecordListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
    try {
      openSegment(nextSeq, 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    writer.start();
  }

  /**
   * Queues {@code event}; the future completes once its record is on disk (after {@code force}), or
   * fails when the journal is closed, full ({@link RejectedExecutionException}) or the write failed.
   * Never blocks: safe on an event loop.
   */
  public CompletableFuture<Void> append(UsageEvent event) {
    Objects.requireNonNull(event, "event");
    if (!fsyncEachBatch) {
      return writeNow(event);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new IllegalStateException("usage journal closed"));
      return done;
    }
    if (queued.incrementAndGet() > maxQueuedRecords) {
      queued.decrementAndGet();
      done.completeExceptionally(new RejectedExecutionException(
          "usage journal queue full: " + maxQueuedRecords + " records"));
      return done;
    }
    Pending pending = new Pending(event, done);
    queue.offer(pending);
    // Dekker pair with runWriter: the offer above is a volatile write, so either the writer sees the
    // record on its re-check, or we see writerParked and wake it.
    if (writerParked) {
      LockSupport.unpark(writer);
    }
    // Closed while we queued: the writer may have gone already. Whoever removes the record fails it.
    if (closed && queue.remove(pending)) {
      queued.decrementAndGet();
      done.completeExceptionally(new IllegalStateException("usage journal closed"));
    }
    return done;
  }

  /**
   * Write-durable mode. On an event loop, the record joins that loop's batch, written with one
   * {@code write} at the end of the loop's current turn (after the I/O it is handling, before it waits
   * again), so answers that end together share a system call; the future completes then, on the loop.
   * Elsewhere the record is written at once.
   */
  private CompletableFuture<Void> writeNow(UsageEvent event) {
    EventExecutor loop = ThreadExecutorMap.currentExecutor();
    if (loop == null || !loop.inEventLoop()) {
      return writeRecords(List.of(event)) ? UsageSink.DONE : writeFailed();
    }
    LoopBatch batch = loopBatches.get();
    CompletableFuture<Void> done = new CompletableFuture<>();
    batch.events.add(event);
    batch.futures.add(done);
    if (!batch.scheduled) {
      batch.scheduled = true;
      try {
        loop.execute(batch);
      } catch (RejectedExecutionException e) { // the loop is shutting down: write on this thread
        batch.run();
      }
    }
    return done;
  }

  /** One event loop's records waiting for the end of its turn. Only that loop touches it. */
  private final class LoopBatch implements Runnable {
    private final List<UsageEvent> events = new ArrayList<>();
    private final List<CompletableFuture<Void>> futures = new ArrayList<>();
    private boolean scheduled;

    @Override
    public void run() {
      scheduled = false;
      boolean written = writeRecords(events);
      events.clear();
      for (CompletableFuture<Void> f : futures) {
        if (written) {
          f.complete(null);
        } else {
          f.completeExceptionally(new UncheckedIOException("usage journal write failed or closed",
              new IOException("not written")));
        }
      }
      futures.clear();
    }
  }

  private final FastThreadLocal<LoopBatch> loopBatches = new FastThreadLocal<>() {
    @Override
    protected LoopBatch initialValue() {
      return new LoopBatch();
    }
  };

  /**
   * Encodes {@code events} and copies them into the segment (a page-cache write, no fsync), then
   * hands them to the listener, all under the lock that keeps the file in sequence order. False when
   * the journal is closed or the write failed (logged).
   */
  private boolean writeRecords(List<UsageEvent> events) {
    inlineLock.lock();
    try {
      if (closed) {
        return false;
      }
      long firstSeq = writeToSegment(events);
      unforced = true;
      for (int i = 0, n = events.size(); i < n; i++) {
        listener.onDurable(firstSeq + i, events.get(i));
      }
      return true;
    } catch (IOException e) {
      LOG.error("usage journal write failed; {} records are not durable", events.size(), e);
      return false;
    } finally {
      inlineLock.unlock();
    }
  }

  /**
   * Encodes {@code events} as the next records and copies them into the segment, starting a new segment
   * first if they do not fit in this one; returns the first record's sequence number. The caller owns
   * the file: the writer thread, or a holder of the journal lock. Sequence numbers are used up even when
   * the write fails, so a number is never written twice.
   */
  private long writeToSegment(List<UsageEvent> events) throws IOException {
    long firstSeq = nextSeq;
    batchBuffer.clear();
    for (int i = 0, n = events.size(); i < n; i++) {
      encodeRecord(firstSeq + i, events.get(i));
    }
    nextSeq += events.size();
    batchBuffer.flip();
    int bytes = batchBuffer.remaining();
    if (segment != null && segment.room() < bytes) {
      leaveSegment();
    }
    if (segment == null) { // left just now, or a new one could not be opened last time
      openSegment(firstSeq, bytes);
    }
    segment.append(batchBuffer);
    appended.addAndGet(events.size());
    return firstSeq;
  }

  /**
   * Leaves the segment, for a new one. The writer thread closes it at once (each batch was forced), and
   * so does any thread when it holds no record (a batch larger than it: its file is mapped again, larger,
   * under the same name). Otherwise an appending thread leaves it to the writer, which forces it first,
   * so no event loop waits for the disk.
   */
  private void leaveSegment() {
    JournalSegment old = segment;
    segment = null;
    if (fsyncEachBatch || old.end() == 0) {
      try {
        old.close();
      } catch (IOException e) {
        LOG.warn("cannot close journal segment {}", old.file(), e);
      }
    } else {
      retired.add(old);
      LockSupport.unpark(writer);
    }
  }

  private static CompletableFuture<Void> writeFailed() {
    return CompletableFuture.failedFuture(new IllegalStateException("usage journal closed or failed"));
  }

  /** Deletes closed segments whose records all have a sequence number {@code <= checkpointSeq}. */
  void releaseUpTo(long checkpointSeq) {
    List<Path> files = segments(dir);
    // The newest segment is the one being written; a segment's last seq is the next one's first - 1.
    for (int i = 0; i + 1 < files.size(); i++) {
      if (firstSeq(files.get(i + 1)) - 1 > checkpointSeq) {
        return;
      }
      try {
        Files.deleteIfExists(files.get(i));
      } catch (IOException e) {
        LOG.warn("cannot delete absorbed journal segment {}", files.get(i), e);
      }
    }
  }

  /** Number of {@code force} calls so far (one per written batch). */
  public long forceCount() {
    return forces.get();
  }

  /** Number of records written so far. */
  public long appendCount() {
    return appended.get();
  }

  /** Writes and forces whatever is queued, then stops the writer. Blocking. */
  @Override
  public void close() {
    inlineLock.lock(); // no write-durable append is half done once closed is set
    try {
      closed = true;
    } finally {
      inlineLock.unlock();
    }
    LockSupport.unpark(writer);
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Test hook: stops the writer as kill -9 would, leaving queued records unwritten. */
  void halt() {
    writer.interrupt();
    inlineLock.lock();
    try {
      closed = true;
    } finally {
      inlineLock.unlock();
    }
    try {
      writer.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Chooses whether a record is durable once fsynced (true) or once written to the file (false). */
  void fsyncEachBatch(boolean fsync) {
    this.fsyncEachBatch = fsync;
  }

  /** Test hook: runs on the writer thread before each {@code force}, e.g. to hold a batch open. */
  void beforeForce(Runnable hook) {
    this.beforeForce = Objects.requireNonNull(hook, "hook");
  }

  Path directory() {
    return dir;
  }

  // ---- writer thread ----

  private void runWriter() {
    if (!fsyncEachBatch) {
      runBackgroundFsync();
      return;
    }
    List<Pending> batch = new ArrayList<>(Math.min(maxBatchRecords, 4096));
    try {
      while (true) {
        drain(batch);
        if (batch.isEmpty()) {
          if (closed || Thread.currentThread().isInterrupted()) {
            return;
          }
          writerParked = true;
          if (queue.isEmpty() && !closed) {
            LockSupport.parkNanos(this, IDLE_PARK_NANOS);
          }
          writerParked = false;
          continue;
        }
        if (Thread.currentThread().isInterrupted()) {
          return; // halted: drop the batch unwritten, as a crash would
        }
        writeBatch(batch);
        batch.clear();
      }
    } finally {
      closeSegment();
      failQueued();
    }
  }

  /**
   * Write-durable mode: fsyncs what the appending threads wrote, at most every BACKGROUND_FSYNC_MILLIS,
   * and forces and closes the segments they left (woken when they leave one).
   */
  private void runBackgroundFsync() {
    try {
      while (!closed && !Thread.currentThread().isInterrupted()) {
        LockSupport.parkNanos(this, BACKGROUND_FSYNC_MILLIS * 1_000_000L);
        if (Thread.currentThread().isInterrupted()) {
          break;
        }
        closeRetired();
        if (unforced) {
          forceWritten();
        }
      }
    } finally {
      if (!Thread.currentThread().isInterrupted()) { // halted: as a crash, no last fsync
        closeRetired();
        inlineLock.lock();
        try {
          closeSegment();
        } finally {
          inlineLock.unlock();
        }
      } else {
        closeWithoutFsync();
      }
    }
  }

  /** Forces and closes the segments the appending threads have left; only the writer thread calls it. */
  private void closeRetired() {
    JournalSegment old;
    while ((old = retired.poll()) != null) {
      try {
        old.force();
        forces.incrementAndGet();
        old.close();
      } catch (IOException e) {
        LOG.warn("cannot close journal segment {}", old.file(), e);
      }
    }
  }

  /**
   * The fsync itself runs outside the lock, so appending event loops never wait for the disk. A segment
   * with records, left meanwhile, stays mapped until this thread closes it.
   */
  private void forceWritten() {
    JournalSegment current;
    inlineLock.lock();
    try {
      // an empty segment has nothing to force (what was written is in segments left, forced as they
      // close), and an appending thread may close an empty segment at once
      current = segment == null || segment.end() == 0 ? null : segment;
      unforced = false;
    } finally {
      inlineLock.unlock();
    }
    if (current == null) {
      return;
    }
    try {
      beforeForce.run();
      current.force();
      forces.incrementAndGet();
    } catch (IOException e) {
      unforced = true;
      LOG.warn("usage journal background fsync failed; will retry", e);
    }
  }

  private void drain(List<Pending> batch) {
    Pending p;
    while (batch.size() < maxBatchRecords && (p = queue.poll()) != null) {
      queued.decrementAndGet();
      batch.add(p);
    }
  }

  /** Fsync-durable mode, writer thread: writes the batch, forces it once, then completes its futures. */
  private void writeBatch(List<Pending> batch) {
    List<UsageEvent> events = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      events.add(p.event);
    }
    long firstSeq = nextSeq;
    IOException failure = null;
    try {
      firstSeq = writeToSegment(events);
      beforeForce.run();
      segment.force();
      forces.incrementAndGet();
    } catch (IOException e) {
      failure = e;
      LOG.error("usage journal write failed; {} records are not durable", batch.size(), e);
    }
    long seq = firstSeq;
    for (Pending p : batch) {
      if (failure == null) {
        listener.onDurable(seq++, p.event);
        p.done.complete(null);
      } else {
        p.done.completeExceptionally(new UncheckedIOException("usage journal write failed", failure));
      }
    }
  }

  private void encodeRecord(long seq, UsageEvent e) {
    ensureRoom(HEADER_BYTES + MAX_PAYLOAD_BYTES);
    int start = batchBuffer.position();
    batchBuffer.position(start + HEADER_BYTES);
    int payloadStart = batchBuffer.position();
    batchBuffer.putLong(seq);
    putString(e.requestId(), -1);
    batchBuffer.putLong(e.epochMillis());
    putString(e.tenantId(), 0);
    putString(e.projectId(), 1);
    putString(e.keyId(), 2);
    putString(e.provider(), 3);
    putString(e.operation(), 4);
    putString(e.model(), 5);
    batchBuffer.putInt(e.status());
    batchBuffer.put((byte) (e.streamed() ? 1 : 0));
    TokenUsage u = e.usage();
    batchBuffer.putLong(u.inputTokens()).putLong(u.outputTokens()).putLong(u.cachedInputTokens())
        .putLong(u.cacheCreationInputTokens()).putLong(u.reasoningTokens()).putLong(u.audioInputTokens())
        .putLong(u.audioOutputTokens());
    batchBuffer.putLong(e.billableUnits()).putLong(e.overageUnits()).putLong(e.latencyNanos())
        .putLong(e.requestBytes()).putLong(e.responseBytes());
    int payloadLength = batchBuffer.position() - payloadStart;
    CRC32C crc = new CRC32C();
    crc.update(batchBuffer.array(), payloadStart, payloadLength);
    batchBuffer.putInt(start, payloadLength);
    batchBuffer.putInt(start + 4, (int) crc.getValue());
  }

  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): exact for ASCII, checked first
  /**
   * Writes {@code s} as a length and its UTF-8 bytes. {@code field} (0 to {@link #REMEMBERED_FIELDS} - 1,
   * or -1 for none) names a field whose last ASCII string is remembered: tenant, key and provider are
   * the very same string objects record after record, and one seen before needs no second look.
   */
  private void putString(String s, int field) {
    if (s == null) {
      batchBuffer.putShort((short) -1);
      return;
    }
    int n = s.length();
    if (n <= MAX_STRING_BYTES && (field >= 0 && lastAscii[field] == s || isAscii(s, field))) {
      // identifiers: one byte per char, no byte[] made
      batchBuffer.putShort((short) n);
      int at = batchBuffer.position();
      // ASCII chars are their own bytes: String's bulk copy of each char's low byte (an array copy for
      // a Latin-1 string) writes them straight into the buffer's array
      s.getBytes(0, n, batchBuffer.array(), batchBuffer.arrayOffset() + at);
      batchBuffer.position(at + n);
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    // Identifiers are short; a pathological one is cut rather than failing the whole batch.
    int length = Math.min(bytes.length, MAX_STRING_BYTES);
    batchBuffer.putShort((short) length);
    batchBuffer.put(bytes, 0, length);
  }

  private boolean isAscii(String s, int field) {
    for (int i = 0, n = s.length(); i < n; i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    if (field >= 0) {
      lastAscii[field] = s;
    }
    return true;
  }

  private void ensureRoom(int bytes) {
    if (batchBuffer.remaining() >= bytes) {
      return;
    }
    ByteBuffer bigger = ByteBuffer.allocate(Math.max(batchBuffer.capacity() * 2, batchBuffer.position() + bytes));
    batchBuffer.flip();
    bigger.put(batchBuffer);
    batchBuffer = bigger;
  }

  /**
   * Opens the segment whose first record is {@code firstSeq}, mapped with room for {@code bytes} at least
   * and {@code segmentMaxBytes} normally. On failure the segment stays null, and the next write tries again.
   */
  private void openSegment(long firstSeq, int bytes) throws IOException {
    Path file = dir.resolve(String.format("%s%020d%s", PREFIX, firstSeq, SUFFIX));
    segment = JournalSegment.open(file, (int) Math.max(segmentMaxBytes, bytes));
  }

  private void closeSegment() {
    if (segment == null) {
      return;
    }
    try {
      if (!fsyncEachBatch) {
        segment.force(); // what was only written reaches the disk before the segment is left
        forces.incrementAndGet();
      }
      segment.close();
    } catch (IOException e) {
      LOG.warn("cannot close journal segment {}", segment.file(), e);
    }
    segment = null;
  }

  /** Halted (a simulated crash): the files stay as they are, what was copied in stays, nothing is forced. */
  private void closeWithoutFsync() {
    inlineLock.lock();
    try {
      JournalSegment old;
      while ((old = retired.poll()) != null) {
        abandon(old);
      }
      if (segment != null) {
        abandon(segment);
      }
    } finally {
      segment = null;
      inlineLock.unlock();
    }
  }

  private static void abandon(JournalSegment segment) {
    try {
      segment.abandon();
    } catch (IOException e) {
      LOG.warn("cannot close journal segment {}", segment.file(), e);
    }
  }

  private void failQueued() {
    Pending p;
    while ((p = queue.poll()) != null) {
      queued.decrementAndGet();
      p.done.completeExceptionally(new IllegalStateException("usage journal closed"));
    }
  }

  // ---- reading ----

  private static long replayInto(List<Path> files, long afterSeq, RecordListener consumer) {
    long last = Long.MIN_VALUE;
    for (Path file : files) {
      try {
        last = Math.max(last, readSegment(file, afterSeq, consumer));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read journal segment " + file, e);
      }
    }
    return last;
  }

  /**
   * Cuts {@code file} after its last intact record, so that new records never follow a torn one (a
   * reader stops at the first bad record), and returns that record's sequence number.
   */
  private static long truncateTornTail(Path file) {
    try {
      ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
      long[] lastAndEnd = scan(file, in, Long.MAX_VALUE, (seq, event) -> { });
      if (lastAndEnd[1] < in.capacity()) {
        if (zeros(in.array(), (int) lastAndEnd[1])) { // a mapped segment's unused room, left by a crash
          LOG.info("journal segment {}: cutting {} unused bytes at byte {}", file, in.capacity() - lastAndEnd[1],
              lastAndEnd[1]);
        } else {
          LOG.warn("journal segment {}: cutting {} torn bytes at byte {}", file, in.capacity() - lastAndEnd[1],
              lastAndEnd[1]);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate(lastAndEnd[1]);
          ch.force(true);
        }
      }
      return lastAndEnd[0];
    } catch (IOException e) {
      throw new UncheckedIOException("cannot repair journal segment " + file, e);
    }
  }

  private static long readSegment(Path file, long afterSeq, RecordListener consumer) throws IOException {
    return scan(file, ByteBuffer.wrap(Files.readAllBytes(file)), afterSeq, consumer)[0];
  }

  /** Returns {last intact seq, end offset of the last intact record}. */
  private static long[] scan(Path file, ByteBuffer in, long afterSeq, RecordListener consumer) {
    long last = Long.MIN_VALUE;
    while (in.remaining() >= HEADER_BYTES) {
      int start = in.position();
      int length = in.getInt();
      int storedCrc = in.getInt();
      if (length == 0 && storedCrc == 0) { // the zeros after a mapped segment's last record
        return new long[] {last, start};
      }
      if (length <= 8 || length > MAX_PAYLOAD_BYTES || in.remaining() < length) {
        LOG.warn("journal segment {}: torn record at byte {}; ignoring the rest", file, start);
        return new long[] {last, start};
      }
      CRC32C crc = new CRC32C();
      crc.update(in.array(), in.position(), length);
      if ((int) crc.getValue() != storedCrc) {
        LOG.warn("journal segment {}: checksum mismatch at byte {}; ignoring the rest", file, start);
        return new long[] {last, start};
      }
      ByteBuffer payload = in.slice(in.position(), length);
      in.position(in.position() + length);
      long seq = payload.getLong();
      if (seq <= last) {
        LOG.warn("journal segment {}: sequence {} after {}; ignoring the rest", file, seq, last);
        return new long[] {last, start};
      }
      last = seq;
      if (seq > afterSeq) {
        consumer.onDurable(seq, decodeEvent(payload));
      }
    }
    return new long[] {last, in.position()};
  }

  private static boolean zeros(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static UsageEvent decodeEvent(ByteBuffer p) {
    String requestId = getString(p);
    long epochMillis = p.getLong();
    String tenantId = getString(p);
    String projectId = getString(p);
    String keyId = getString(p);
    String provider = getString(p);
    String operation = getString(p);
    String model = getString(p);
    int status = p.getInt();
    boolean streamed = p.get() == 1;
    TokenUsage usage = new TokenUsage(p.getLong(), p.getLong(), p.getLong(), p.getLong(), p.getLong(),
        p.getLong(), p.getLong());
    return new UsageEvent(requestId, epochMillis, tenantId, projectId, keyId, provider, operation, model, status,
        streamed, usage, p.getLong(), p.getLong(), p.getLong(), p.getLong(), p.getLong());
  }

  private static String getString(ByteBuffer p) {
    short length = p.getShort();
    if (length < 0) {
      return null;
    }
    byte[] bytes = new byte[length];
    p.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static List<Path> segments(Path dir) {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
      stream.forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list journal directory " + dir, e);
    }
    // Zero-padded first sequence numbers: name order is sequence order.
    files.sort(null);
    return files;
  }

  private static long firstSeq(Path file) {
    String name = file.getFileName().toString();
    return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
  }

  /** Sees records in sequence order: on the writer thread once durable, or during replay. */
  @FunctionalInterface
  interface RecordListener {
    void onDurable(long seq, UsageEvent event);
  }

  private record Pending(UsageEvent event, CompletableFuture<Void> done) { }
}
