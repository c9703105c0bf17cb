package dev.zxd.daemon; public final class Main { public static void main(String[] a) {} }
