package dev.tollgate.core.ledger;

import static dev.tollgate.core.ledger.LedgerFixtures.mixedEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.core.usage.TokenUsage;
import dev.tollgate.core.usage.UsageEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UsageJournalTest {

  @TempDir
  Path dir;

  private final List<UsageJournal> open = new ArrayList<>();

  @AfterEach
  void closeAll() {
    open.forEach(UsageJournal::close);
  }

  @Test
  void groupsManyConcurrentAppendsUnderFewForces() throws Exception {
    UsageJournal journal = journal(4_096, 65_536);
    CountDownLatch inFirstForce = new CountDownLatch(1);
    CountDownLatch releaseFirstForce = new CountDownLatch(1);
    journal.beforeForce(() -> {
      inFirstForce.countDown();
      awaitQuietly(releaseFirstForce);
    });
    journal.start((seq, event) -> { });
    CompletableFuture<Void> first = journal.append(mixedEvents(1, 1).get(0));
    inFirstForce.await();

    // 8 threads append 1,000 records each while the writer is inside its first force.
    ConcurrentLinkedQueue<CompletableFuture<Void>> pending = new ConcurrentLinkedQueue<>();
    List<Thread> appenders = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      List<UsageEvent> events = mixedEvents(1_000, 100 + t);
      Thread appender = new Thread(() -> events.forEach(e -> pending.add(journal.append(e))));
      appenders.add(appender);
      appender.start();
    }
    for (Thread appender : appenders) {
      appender.join();
    }
    releaseFirstForce.countDown();
    first.join();
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();

    assertThat(journal.appendCount()).isEqualTo(8_001);
    // The first batch, then 8,000 queued records in batches of at most 4,096.
    assertThat(journal.forceCount()).isBetween(2L, 3L);
  }

  @Test
  void replaysEveryFieldOfEveryRecordInSequenceOrder() {
    UsageJournal journal = journal(4_096, 65_536);
    List<UsageEvent> events = new ArrayList<>(mixedEvents(200, 3));
    events.add(new UsageEvent("no-ids", 5L, null, null, null, null, null, null, 401, true,
        new TokenUsage(1, 2, 3, 4, 5, 6, 7), 9, 8, 7, 6, 5));
    events.add(new UsageEvent("non-ascii", 6L, "t\u00e9nant", "p", "k", "openai", "chat.completions",
        "mod\u00e8le-\u4e2d", 200, false, new TokenUsage(1, 1, 0, 0, 0, 0, 0), 1, 0, 10, 20, 30));
    journal.start((seq, event) -> { });
    CompletableFuture.allOf(events.stream().map(journal::append).toArray(CompletableFuture[]::new)).join();
    journal.close();

    List<Long> seqs = new ArrayList<>();
    List<UsageEvent> replayed = new ArrayList<>();
    long last = journal(4_096, 65_536).replay(0, (seq, event) -> {
      seqs.add(seq);
      replayed.add(event);
    });

    assertThat(replayed).containsExactlyElementsOf(events);
    assertThat(seqs).isSorted().doesNotHaveDuplicates().first().isEqualTo(1L);
    assertThat(last).isEqualTo(events.size());
  }

  @Test
  void replayStopsAtARecordWhoseChecksumDoesNotMatch() throws IOException {
    UsageJournal journal = journal(4_096, 65_536);
    journal.start((seq, event) -> { });
    List<UsageEvent> events = mixedEvents(50, 5);
    CompletableFuture.allOf(events.stream().map(journal::append).toArray(CompletableFuture[]::new)).join();
    journal.close();
    Path segment = onlySegment();
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length - 3] ^= 0x5A; // flip bits inside the last record's payload
    Files.write(segment, bytes);

    List<UsageEvent> replayed = new ArrayList<>();
    UsageJournal reopened = journal(4_096, 65_536);
    reopened.replay(0, (seq, event) -> replayed.add(event));

    assertThat(replayed).containsExactlyElementsOf(events.subList(0, 49));
    assertThat(Files.size(segment)).isLessThan(bytes.length); // the bad tail was cut
  }

  @Test
  void refusesAppendsBeyondTheQueueBoundWithoutBlocking() throws InterruptedException {
    UsageJournal journal = journal(4_096, 10);
    CountDownLatch inFirstForce = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    journal.beforeForce(() -> {
      inFirstForce.countDown();
      awaitQuietly(release);
    });
    journal.start((seq, event) -> { });
    CompletableFuture<Void> first = journal.append(mixedEvents(1, 1).get(0));
    inFirstForce.await();
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (UsageEvent e : mixedEvents(50, 9)) {
      futures.add(journal.append(e));
    }
    // Refused at once while the writer holds its first batch: append did not wait for room.
    List<CompletableFuture<Void>> refused = futures.stream().filter(CompletableFuture::isCompletedExceptionally)
        .toList();
    release.countDown();

    assertThat(refused).hasSize(40).allSatisfy(f -> assertThatThrownBy(f::join)
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(RejectedExecutionException.class));
    first.join();
    CompletableFuture.allOf(futures.subList(0, 10).toArray(CompletableFuture[]::new)).join();
  }

  @Test
  void newRecordsNeverFollowATornRecordInTheSegmentTheyReuse() throws IOException {
    UsageJournal journal = journal(4_096, 65_536);
    journal.start((seq, event) -> { });
    UsageEvent before = mixedEvents(1, 1).get(0);
    journal.append(before).join();
    journal.close();
    // A crash right after the next segment was started, mid-way through its first record.
    Files.write(dir.resolve("usage-00000000000000000002.journal"), new byte[] {0, 0, 0, 90, 1, 2, 3, 4, 5});

    UsageJournal reopened = journal(4_096, 65_536);
    reopened.start((seq, event) -> { });
    UsageEvent after = mixedEvents(1, 2).get(0);
    reopened.append(after).join();
    reopened.close();

    List<UsageEvent> replayed = new ArrayList<>();
    journal(4_096, 65_536).replay(0, (seq, event) -> replayed.add(event));
    assertThat(replayed).containsExactly(before, after);
  }

  @Test
  void newSequenceNumbersStartAboveTheLedgerCheckpoint() {
    UsageJournal journal = journal(4_096, 65_536, 41);
    List<Long> seqs = new ArrayList<>();
    journal.start((seq, event) -> seqs.add(seq));
    journal.append(mixedEvents(1, 1).get(0)).join();

    assertThat(seqs).containsExactly(42L);
  }

  @Test
  void appendsAfterCloseFail() {
    UsageJournal journal = journal(4_096, 65_536);
    journal.start((seq, event) -> { });
    journal.close();

    assertThatThrownBy(() -> journal.append(mixedEvents(1, 1).get(0)).join())
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void writeDurableAppendsAreOnFileWhenTheyReturnWithNoFsyncWaited() throws Exception {
    UsageJournal journal = writeDurableJournal();
    CountDownLatch releaseForce = new CountDownLatch(1);
    journal.beforeForce(() -> awaitQuietly(releaseForce)); // the disk never answers during the test
    List<Long> seen = new ArrayList<>();
    journal.start((seq, event) -> seen.add(seq));
    List<UsageEvent> events = mixedEvents(100, 31);

    List<CompletableFuture<Void>> futures = events.stream().map(journal::append).toList();

    assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(seen).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 100).boxed().toList());
    List<UsageEvent> onFile = new ArrayList<>();
    journal(4_096, 65_536).replay(0, (seq, event) -> onFile.add(event)); // read while the writer still holds it
    assertThat(onFile).containsExactlyElementsOf(events);
    releaseForce.countDown();
  }

  @Test
  void writeDurableAppendsFromManyThreadsKeepSequenceOrderOnFile() throws Exception {
    UsageJournal journal = writeDurableJournal();
    journal.start((seq, event) -> { });
    List<Thread> appenders = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      List<UsageEvent> events = mixedEvents(500, 200 + t);
      Thread appender = new Thread(() -> events.forEach(e -> journal.append(e).join()));
      appenders.add(appender);
      appender.start();
    }
    for (Thread appender : appenders) {
      appender.join();
    }
    journal.halt(); // a crash: no last fsync, the page cache keeps what was written

    List<Long> seqs = new ArrayList<>();
    journal(4_096, 65_536).replay(0, (seq, event) -> seqs.add(seq));
    assertThat(seqs).hasSize(2_000).isSorted().doesNotHaveDuplicates();
    assertThat(journal.appendCount()).isEqualTo(2_000);
  }

  @Test
  void onAnEventLoopTheAppendsOfOneTurnAreWrittenTogetherWhenItEnds() throws Exception {
    UsageJournal journal = writeDurableJournal();
    journal.start((seq, event) -> { });
    io.netty.channel.DefaultEventLoop loop = new io.netty.channel.DefaultEventLoop();
    try {
      List<UsageEvent> events = mixedEvents(50, 41);
      CompletableFuture<List<CompletableFuture<Void>>> appended = new CompletableFuture<>();
      long[] writtenDuringTheTurn = {-1};
      loop.execute(() -> {
        List<CompletableFuture<Void>> futures = events.stream().map(journal::append).toList();
        writtenDuringTheTurn[0] = journal.appendCount();
        appended.complete(futures);
      });
      List<CompletableFuture<Void>> futures = appended.get(5, java.util.concurrent.TimeUnit.SECONDS);
      CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(5, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(writtenDuringTheTurn[0]).isZero(); // held for the end of the turn, not written one by one
      assertThat(journal.appendCount()).isEqualTo(50);
      List<UsageEvent> onFile = new ArrayList<>();
      journal(4_096, 65_536).replay(0, (seq, event) -> onFile.add(event));
      assertThat(onFile).containsExactlyElementsOf(events);
    } finally {
      loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void writeDurableJournalFsyncsWrittenRecordsWhenClosed() {
    UsageJournal journal = writeDurableJournal();
    journal.start((seq, event) -> { });
    journal.append(mixedEvents(1, 1).get(0)).join();
    long before = journal.forceCount();
    journal.close();

    assertThat(journal.forceCount()).isGreaterThan(before);
    assertThatThrownBy(() -> journal.append(mixedEvents(1, 2).get(0)).join())
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void aClosedSegmentEndsAtItsLastRecordAndIsNoLongerMapped() throws IOException {
    UsageJournal journal = writeDurableJournal();
    journal.start((seq, event) -> { });
    List<UsageEvent> events = mixedEvents(30, 51);
    CompletableFuture.allOf(events.stream().map(journal::append).toArray(CompletableFuture[]::new)).join();
    Path segment = onlySegment();
    assertThat(Files.size(segment)).isEqualTo(16L << 20); // mapped whole while written
    assertThat(mappedFiles()).contains(segment.toString());

    journal.close();

    assertThat(recordBytes(segment)).isEqualTo(Files.size(segment)).isPositive();
    assertThat(mappedFiles()).doesNotContain(segment.toString());
    List<UsageEvent> replayed = new ArrayList<>();
    journal(4_096, 65_536).replay(0, (seq, event) -> replayed.add(event));
    assertThat(replayed).containsExactlyElementsOf(events);
  }

  @Test
  void afterACrashTheUnusedRoomOfASegmentIsCutAndNewRecordsFollowTheOldOnes() throws IOException {
    UsageJournal crashed = writeDurableJournal();
    crashed.start((seq, event) -> { });
    List<UsageEvent> before = mixedEvents(20, 61);
    before.forEach(e -> crashed.append(e).join());
    crashed.halt(); // kill -9: the file keeps its mapped length, zeros after the records
    Path segment = onlySegment();
    assertThat(Files.size(segment)).isEqualTo(16L << 20);

    UsageJournal reopened = journal(4_096, 65_536);
    assertThat(Files.size(segment)).isEqualTo(recordBytes(segment)); // cut at the last record
    reopened.fsyncEachBatch(false);
    reopened.start((seq, event) -> { });
    List<UsageEvent> after = mixedEvents(5, 62);
    after.forEach(e -> reopened.append(e).join());
    reopened.close();

    List<UsageEvent> replayed = new ArrayList<>();
    List<Long> seqs = new ArrayList<>();
    journal(4_096, 65_536).replay(0, (seq, event) -> {
      seqs.add(seq);
      replayed.add(event);
    });
    List<UsageEvent> all = new ArrayList<>(before);
    all.addAll(after);
    assertThat(replayed).containsExactlyElementsOf(all);
    assertThat(seqs).isEqualTo(java.util.stream.LongStream.rangeClosed(1, 25).boxed().toList());
  }

  @Test
  void segmentsLeftByAppendingThreadsAreClosedByTheWriterAndKeepEveryRecordInOrder() throws Exception {
    UsageJournal journal = UsageJournal.open(dir, 0, 4_096, 4_096, 65_536); // about 20 records a segment
    open.add(journal);
    journal.fsyncEachBatch(false);
    journal.start((seq, event) -> { });
    List<UsageEvent> events = mixedEvents(300, 71);
    events.forEach(e -> journal.append(e).join());

    List<Path> segments;
    try (Stream<Path> files = Files.list(dir)) {
      segments = files.sorted().toList();
    }
    assertThat(segments).hasSizeGreaterThan(10);
    // every segment but the one being written is closed by the writer thread: cut, forced and unmapped
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (mappedFiles().stream().filter(f -> f.startsWith(dir.toString())).count() > 1
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(mappedFiles()).filteredOn(f -> f.startsWith(dir.toString()))
        .containsExactly(segments.get(segments.size() - 1).toString());
    for (Path closed : segments.subList(0, segments.size() - 1)) {
      assertThat(Files.size(closed)).isEqualTo(recordBytes(closed)).isBetween(1L, 4_096L);
    }
    journal.close();
    assertThat(mappedFiles()).noneMatch(f -> f.startsWith(dir.toString()));

    List<UsageEvent> replayed = new ArrayList<>();
    journal(4_096, 65_536).replay(0, (seq, event) -> replayed.add(event));
    assertThat(replayed).containsExactlyElementsOf(events);
  }

  @Test
  void aBatchLargerThanAnEmptySegmentIsWrittenToThatSegmentMappedLarger() throws Exception {
    UsageJournal journal = UsageJournal.open(dir, 0, 4_096, 4_096, 65_536);
    open.add(journal);
    journal.fsyncEachBatch(false);
    journal.start((seq, event) -> { });
    io.netty.channel.DefaultEventLoop loop = new io.netty.channel.DefaultEventLoop();
    try {
      List<UsageEvent> events = mixedEvents(60, 81); // about 13 KiB in one turn of the loop
      CompletableFuture<List<CompletableFuture<Void>>> appended = new CompletableFuture<>();
      loop.execute(() -> appended.complete(events.stream().map(journal::append).toList()));
      CompletableFuture.allOf(appended.get(5, java.util.concurrent.TimeUnit.SECONDS).toArray(CompletableFuture[]::new))
          .get(5, java.util.concurrent.TimeUnit.SECONDS);
      UsageEvent next = mixedEvents(1, 82).get(0);
      journal.append(next).join(); // does not fit either: a segment of its own
      journal.close();

      List<Path> segments;
      try (Stream<Path> files = Files.list(dir)) {
        segments = files.sorted().toList();
      }
      assertThat(segments).hasSize(2);
      assertThat(Files.size(segments.get(0))).isEqualTo(recordBytes(segments.get(0))).isGreaterThan(4_096);
      List<UsageEvent> replayed = new ArrayList<>();
      journal(4_096, 65_536).replay(0, (seq, event) -> replayed.add(event));
      List<UsageEvent> all = new ArrayList<>(events);
      all.add(next);
      assertThat(replayed).containsExactlyElementsOf(all);
    } finally {
      loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }

  /** Bytes taken by the records at the start of {@code segment}: where the first zero length header is. */
  private static long recordBytes(Path segment) throws IOException {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(Files.readAllBytes(segment));
    while (in.remaining() >= 8) {
      int length = in.getInt(in.position());
      if (length == 0) {
        break;
      }
      in.position(in.position() + 8 + length);
    }
    return in.position();
  }

  /** Files this process has mapped, from /proc/self/maps (Linux). */
  private static List<String> mappedFiles() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/maps")).stream()
        .map(line -> line.split("\\s+", 6))
        .filter(fields -> fields.length == 6 && fields[5].startsWith("/"))
        .map(fields -> fields[5])
        .distinct()
        .toList();
  }

  private UsageJournal writeDurableJournal() {
    UsageJournal journal = journal(4_096, 65_536);
    journal.fsyncEachBatch(false);
    return journal;
  }

  private UsageJournal journal(int maxBatchRecords, int maxQueuedRecords) {
    return journal(maxBatchRecords, maxQueuedRecords, 0);
  }

  private UsageJournal journal(int maxBatchRecords, int maxQueuedRecords, long checkpointSeq) {
    UsageJournal journal = UsageJournal.open(dir, checkpointSeq, 16L << 20, maxBatchRecords, maxQueuedRecords);
    open.add(journal);
    return journal;
  }

  private Path onlySegment() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> all = files.toList();
      assertThat(all).hasSize(1);
      return all.get(0);
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
