package dev.zxd.cli.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The checker must be able to fail: each kind of violation, fed on purpose, is counted as exactly that. */
class SequenceCheckerTest {
  private static SequenceChecker.Stream sent(SequenceChecker c, String name, int n) {
    SequenceChecker.Stream s = c.stream(name);
    for (int i = 0; i < n; i++) {
      s.sent(i);
    }
    return s;
  }

  @Test
  void inOrderAndCompleteIsClean() {
    SequenceChecker c = new SequenceChecker();
    SequenceChecker.Stream s = sent(c, "a", 5);
    for (int i = 0; i < 5; i++) {
      s.received(i);
    }
    assertEquals(new SequenceChecker.Totals(1, 5, 5, 0, 0, 0, 0), c.finish());
    assertTrue(c.examples().isEmpty());
  }

  @Test
  void aMissingMessageIsLost() {
    SequenceChecker c = new SequenceChecker();
    SequenceChecker.Stream s = sent(c, "a", 5);
    s.received(0);
    s.received(1);
    s.received(3);
    s.received(4);
    SequenceChecker.Totals t = c.finish();
    assertEquals(1, t.lost());
    assertEquals(0, t.duplicated());
    assertEquals(0, t.reordered());
    assertEquals(1, t.violations());
    assertTrue(c.examples().get(0).contains("first missing: 2"), c.examples().toString());
  }

  @Test
  void anUnreadTailIsLost() {
    SequenceChecker c = new SequenceChecker();
    SequenceChecker.Stream s = sent(c, "a", 3);
    s.received(0);
    assertEquals(2, c.finish().lost());
  }

  @Test
  void aMessageReadTwiceIsDuplicated() {
    SequenceChecker c = new SequenceChecker();
    SequenceChecker.Stream s = sent(c, "a", 3);
    s.received(0);
    s.received(1);
    s.received(1);
    s.received(2);
    SequenceChecker.Totals t = c.finish();
    assertEquals(1, t.duplicated());
    assertEquals(0, t.lost());
    assertEquals(0, t.reordered());
    assertEquals(4, t.received());
  }

  @Test
  void aDuplicateAheadOfAGapIsDuplicatedNotLost() {
    SequenceChecker c = new SequenceChecker();
    SequenceChecker.Stream s = sent(c, "a", 4);
    s.received(0);
    s.received(2);
    s.received(2);
    s.received(1);
    s.received(3);
    SequenceChecker.Totals t = c.finish();
    assertEquals(1, t.duplicated());
    assertEquals(1, t.reordered()); // 1 after 2
    assertEquals(0, t.lost());
  }

  @Test
  void aMessageReadAfterALaterOneIsReordered() {
    SequenceChecker c = new SequenceChecker();
    SequenceChecker.Stream s = sent(c, "a", 4);
    s.received(0);
    s.received(2);
    s.received(1);
    s.received(3);
    SequenceChecker.Totals t = c.finish();
    assertEquals(1, t.reordered());
    assertEquals(0, t.lost());
    assertEquals(0, t.duplicated());
    assertTrue(c.examples().get(0).contains("sequence 1 received after 2"), c.examples().toString());
  }

  @Test
  void aNumberNeverSentOrAForeignMessageIsUnexpected() {
    SequenceChecker c = new SequenceChecker();
    SequenceChecker.Stream s = sent(c, "a", 2);
    s.received(0);
    s.received(1);
    s.received(7);
    s.unexpected("a record of link 9");
    SequenceChecker.Totals t = c.finish();
    assertEquals(2, t.unexpected());
    assertEquals(0, t.lost());
  }

  @Test
  void streamsAreCheckedSeparatelyAndAddedUp() {
    SequenceChecker c = new SequenceChecker();
    SequenceChecker.Stream a = sent(c, "a", 2);
    SequenceChecker.Stream b = sent(c, "b", 2);
    a.received(0);
    b.received(0);
    b.received(1);
    a.received(1);
    a.received(0);
    SequenceChecker.Totals t = c.finish();
    assertEquals(new SequenceChecker.Totals(2, 4, 5, 0, 1, 0, 0), t);
  }

  @Test
  void finishingTwiceCountsOnce() {
    SequenceChecker c = new SequenceChecker();
    SequenceChecker.Stream s = sent(c, "a", 2);
    s.finish();
    assertEquals(2, c.finish().lost());
    assertEquals(2, c.finish().lost());
  }
}
