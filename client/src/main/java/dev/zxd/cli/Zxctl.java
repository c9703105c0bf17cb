package dev.zxd.cli; public final class Zxctl { public static void main(String[] a) {} }
