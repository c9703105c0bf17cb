package dev.zxd.cli.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks sequence-numbered streams (one per channel or socket link, and one per bootstrap channel): every
 * stream's writer numbers its messages 0, 1, 2, ... and reports each one the daemon accepted; its readers report
 * each one they received. Definitions:
 * <ul>
 *   <li>duplicated: a sequence number received more than once;
 *   <li>reordered: a sequence number received after a higher one of the same stream;
 *   <li>lost: accepted by the daemon (the write returned ZX_OK) but never received by the time the stream
 *       was retired (both ends closed) or the run ended. The soak drains every endpoint before its holder
 *       exits, so nothing is discarded with a closed endpoint "by design": every loss is a loss;
 *   <li>unexpected: received but never accepted by a write (a number the writer did not send, or a message
 *       on the wrong stream).
 * </ul>
 * Thread-safe: a stream's writer and reader may report from different threads.
 */
final class SequenceChecker {
  /** Examples kept for the report, so a failing run says where. */
  private static final int MAX_EXAMPLES = 20;

  private final Map<String, Stream> streams = new ConcurrentHashMap<>();
  private final List<String> examples = new ArrayList<>();

  /** The counts over all streams. */
  record Totals(long streams, long sent, long received, long lost, long duplicated, long reordered,
      long unexpected) {
    long violations() {
      return lost + duplicated + reordered + unexpected;
    }
  }

  /** One stream's state. */
  final class Stream {
    private final String name;
    private long sent;
    private long received;
    private long next;
    private long maxSeen = -1;
    private final TreeSet<Long> ahead = new TreeSet<>();
    private long duplicated;
    private long reordered;
    private boolean finished;
    private long lost;
    private long unexpected;

    private Stream(String name) {
      this.name = name;
    }

    /** The daemon accepted the message numbered {@code seq} (numbers must be accepted in order). */
    synchronized void sent(long seq) {
      if (seq != sent) {
        throw new IllegalStateException(name + ": writer numbered " + seq + " after " + sent + " sent");
      }
      sent++;
    }

    synchronized long sentCount() {
      return sent;
    }

    synchronized long receivedCount() {
      return received;
    }

    /** A reader received the message numbered {@code seq}. */
    synchronized void received(long seq) {
      received++;
      if (seq < 0) {
        unexpected++;
        note(name + ": unexpected message (bad sequence " + seq + ")");
        return;
      }
      if (seq < next || ahead.contains(seq)) {
        duplicated++;
        note(name + ": sequence " + seq + " received again");
        return;
      }
      if (seq < maxSeen) {
        reordered++;
        note(name + ": sequence " + seq + " received after " + maxSeen);
      }
      maxSeen = Math.max(maxSeen, seq);
      if (seq == next) {
        next++;
        while (!ahead.isEmpty() && ahead.first() == next) {
          ahead.pollFirst();
          next++;
        }
      } else {
        ahead.add(seq);
      }
    }

    /** A message on this stream that does not belong to it at all (wrong stream, unparseable). */
    synchronized void unexpected(String what) {
      received++;
      unexpected++;
      note(name + ": " + what);
    }

    /** No more messages will arrive: count what was accepted and never received. Idempotent. */
    synchronized void finish() {
      if (finished) {
        return;
      }
      finished = true;
      long distinct = next + ahead.size();
      long neverSent = ahead.isEmpty() ? Math.max(0, next - sent) : ahead.tailSet(sent, true).size()
          + Math.max(0, next - sent);
      unexpected += neverSent;
      if (neverSent > 0) {
        note(name + ": " + neverSent + " received numbers were never sent");
      }
      lost = sent - (distinct - neverSent);
      if (lost > 0) {
        note(name + ": " + lost + " of " + sent + " accepted messages never received (first missing: "
            + next + ")");
      }
    }
  }

  /** The stream called {@code name}, made on first use. */
  Stream stream(String name) {
    return streams.computeIfAbsent(name, Stream::new);
  }

  private void note(String example) {
    synchronized (examples) {
      if (examples.size() < MAX_EXAMPLES) {
        examples.add(example);
      }
    }
  }

  /** Finishes every stream and adds up. */
  Totals finish() {
    long sent = 0;
    long received = 0;
    long lost = 0;
    long dup = 0;
    long reordered = 0;
    long unexpected = 0;
    for (Stream s : streams.values()) {
      s.finish();
      synchronized (s) {
        sent += s.sent;
        received += s.received;
        lost += s.lost;
        dup += s.duplicated;
        reordered += s.reordered;
        unexpected += s.unexpected;
      }
    }
    return new Totals(streams.size(), sent, received, lost, dup, reordered, unexpected);
  }

  /** Counts so far (for progress lines), without finishing. */
  long[] sentReceived() {
    long sent = 0;
    long received = 0;
    for (Stream s : streams.values()) {
      synchronized (s) {
        sent += s.sent;
        received += s.received;
      }
    }
    return new long[] {sent, received};
  }

  List<String> examples() {
    synchronized (examples) {
      return List.copyOf(examples);
    }
  }
}
