package dev.zxd.cli.soak;

import com.google.protobuf.ByteString;

/**
 * One sequence-numbered stream: a channel or a socket whose one end (tx) is written and whose other end (rx)
 * is read, each end held by some soak process or travelling between them. The stream's numbering and
 * partial-record buffer live here, not in the process that happens to hold an end, because an end carries
 * its stream with it when it moves (the queued messages or bytes go with the endpoint). Guarded by its own
 * monitor: the tx and rx holders step on different threads.
 */
final class Link {
  /** What the link is made of. */
  enum Kind {
    /** A channel between soak processes; carries data messages and moved endpoints. */
    CHANNEL,
    /** A ZX_SOCKET_STREAM | HAS_ACCEPT socket: 16-byte records; carries shared datagram sockets. */
    STREAM,
    /** A ZX_SOCKET_DATAGRAM socket: one 16-byte record per datagram. */
    DATAGRAM,
    /** The launcher's channel to one process: how new endpoints reach it. Never moves. */
    BOOT
  }

  /** One end of a link. */
  static final class End {
    final Link link;
    final boolean tx;
    /** The process holding it; null while it travels (in a message, a share slot or a token). */
    SoakProcess holder;
    /** Its handle value in the holder's table. */
    int handle;
    /** The holder closed it (or exited). */
    volatile boolean closed;

    End(Link link, boolean tx) {
      this.link = link;
      this.tx = tx;
    }

    End peer() {
      return tx ? link.rx : link.tx;
    }

    @Override
    public String toString() {
      return link + (tx ? ".tx" : ".rx");
    }
  }

  static final int RECORD_BYTES = 16;

  final long id;
  final Kind kind;
  final End tx = new End(this, true);
  final End rx = new End(this, false);
  final SequenceChecker.Stream check;

  private long nextSeq;
  private int writesInFlight;
  private boolean closing;
  /** An endpoint parked in this (stream) socket's share slot, waiting for the rx holder's accept. */
  private End pendingShare;
  /** The share syscall has completed: the rx holder's accept will find it. */
  private boolean shareParked;
  /** Protocol-info tokens addressed to this link's rx holder, not yet redeemed. */
  private int tokensInFlight;
  /** The rx holder's bytes of an incomplete record (stream sockets). */
  private ByteString partial = ByteString.EMPTY;

  Link(long id, Kind kind, SequenceChecker checker) {
    this.id = id;
    this.kind = kind;
    this.check = checker.stream(kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + id);
  }

  boolean isSocket() {
    return kind == Kind.STREAM || kind == Kind.DATAGRAM;
  }

  /**
   * Reserves up to {@code max} sequence numbers for a write if the link is open and fewer than {@code window}
   * messages are unread; returns the first, or -1 (nothing reserved).
   */
  synchronized long reserve(int max, int window, int[] count) {
    long outstanding = nextSeq - check.receivedCount();
    if (closing || outstanding >= window || max <= 0) {
      return -1;
    }
    int n = (int) Math.min(max, window - outstanding);
    long first = nextSeq;
    nextSeq += n;
    writesInFlight++;
    count[0] = n;
    return first;
  }

  /**
   * Reserves one number for a message carrying an end, whatever the window (such messages are few), unless
   * the link is closing; -1 then. Checked and reserved at once, so a reader that sees the link drained can
   * trust nothing more is coming.
   */
  synchronized long reserveControlIfOpen() {
    return closing ? -1 : reserveControl();
  }

  /** Parks nothing yet: claims the share slot for {@code e} unless taken or the link is closing. */
  synchronized boolean offerShare(End e) {
    if (closing || pendingShare != null) {
      return false;
    }
    pendingShare = e;
    shareParked = false;
    return true;
  }

  /** Claims a token transfer to the rx holder unless the link is closing. */
  synchronized boolean claimToken() {
    if (closing) {
      return false;
    }
    tokensInFlight++;
    return true;
  }

  /** Reserves one number whatever the window or closing: the second half of a token transfer must go. */
  synchronized long reserveControl() {
    writesInFlight++;
    return nextSeq++;
  }

  /** The write of {@code n} numbers from {@code first} completed; {@code accepted} of them were taken. */
  synchronized void written(long first, int n, int accepted) {
    writesInFlight--;
    for (int i = 0; i < accepted; i++) {
      check.sent(first + i);
    }
    // Numbers reserved but refused are given back only when they were the last reserved, which the
    // one-operation-at-a-time rule makes always true.
    nextSeq -= n - accepted;
  }

  /** Something was written and not yet read (for the rx holder: a read will find it). */
  synchronized boolean unread() {
    return check.sentCount() > check.receivedCount();
  }

  synchronized void markClosing() {
    closing = true;
  }

  synchronized boolean closing() {
    return closing;
  }

  /** Nothing more can arrive at rx: closing, no write in flight, everything read, no share or token pending. */
  synchronized boolean drained() {
    return closing && writesInFlight == 0 && check.sentCount() == check.receivedCount() && pendingShare == null
        && tokensInFlight == 0 && partial.isEmpty();
  }

  synchronized boolean quiet() {
    return writesInFlight == 0 && check.sentCount() == check.receivedCount() && pendingShare == null
        && tokensInFlight == 0;
  }

  synchronized End pendingShare() {
    return pendingShare;
  }

  synchronized void shareAccepted() {
    pendingShare = null;
    shareParked = false;
  }

  synchronized void shareParked() {
    shareParked = true;
  }

  /** The end waiting in the share slot, once it is there; else null. */
  synchronized End parkedShare() {
    return shareParked ? pendingShare : null;
  }

  synchronized void tokenRedeemed() {
    tokensInFlight--;
  }

  synchronized int tokensInFlight() {
    return tokensInFlight;
  }

  synchronized ByteString partial() {
    return partial;
  }

  synchronized void partial(ByteString rest) {
    partial = rest;
  }

  @Override
  public String toString() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + "-" + id;
  }
}
