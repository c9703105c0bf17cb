package dev.zxd.kernel;

import java.util.Random;

/** Rights for a randomised test to ask for: mostly SAME_RIGHTS or a reduction, now and then more than held. */
final class RandomRights {
  private RandomRights() {}

  /** Half the time SAME_RIGHTS, one time in ten more than held, else held with each bit dropped one time in n. */
  static int pick(Random rnd, int held, int dropOneIn) {
    int roll = rnd.nextInt(10);
    if (roll < 5) {
      return Rights.SAME_RIGHTS;
    }
    if (roll == 9) {
      return held | Rights.SET_POLICY; // more than held: refused with INVALID_ARGS
    }
    int mask = held;
    for (int bit = 0; bit < 16; bit++) {
      if (rnd.nextInt(dropOneIn) == 0) {
        mask &= ~(1 << bit);
      }
    }
    return mask;
  }
}
