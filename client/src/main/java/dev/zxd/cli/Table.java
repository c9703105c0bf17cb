package dev.zxd.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A table for people: a header row and rows, each column as wide as its widest cell, columns two spaces
 * apart, every column left-aligned (so a column starts where its header does), no trailing blanks.
 */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  Table(String... headers) {
    this.columns = headers.length;
    rows.add(headers);
  }

  private Table(int columns) {
    this.columns = columns;
  }

  /** A table without a header row: {@code key  value} lines, values aligned. */
  static Table keyValue() {
    return new Table(2);
  }

  Table row(Object... cells) {
    if (cells.length != columns) {
      throw new IllegalArgumentException("expected " + columns + " cells, got " + cells.length);
    }
    String[] text = new String[columns];
    for (int i = 0; i < columns; i++) {
      text[i] = Fmt.printable(String.valueOf(cells[i]));
    }
    rows.add(text);
    return this;
  }

  void print(PrintWriter out) {
    for (String line : lines()) {
      out.println(line);
    }
  }

  List<String> lines() {
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    List<String> lines = new ArrayList<>(rows.size());
    for (String[] r : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        sb.append(r[i]);
        if (i < columns - 1) {
          sb.append(" ".repeat(width[i] - r[i].length() + 2));
        }
      }
      lines.add(strip(sb));
    }
    return lines;
  }

  private static String strip(StringBuilder sb) {
    int end = sb.length();
    while (end > 0 && sb.charAt(end - 1) == ' ') {
      end--;
    }
    return sb.substring(0, end);
  }
}
