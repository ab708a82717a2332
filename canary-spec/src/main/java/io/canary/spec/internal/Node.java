package io.canary.spec.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A YAML (or JSON) value with where it was written: its path from the top and its line and column. */
public sealed interface Node permits Node.MapNode, Node.ListNode, Node.Scalar {
  String path();

  int line();

  int column();

  /** How problems name the node: {@code steps[2].setWeight}, or {@code (top level)}. */
  default String where() {
    return path().isEmpty() ? "(top level)" : path();
  }

  /** The value as plain Java: maps, lists, strings, longs, doubles, booleans and null. */
  Object plain();

  /** A mapping, its keys in the order written. */
  record MapNode(String path, int line, int column, Map<String, Node> fields) implements Node {
    @Override
    public Object plain() {
      Map<String, Object> m = new LinkedHashMap<>();
      fields.forEach((k, v) -> m.put(k, v.plain()));
      return m;
    }
  }

  record ListNode(String path, int line, int column, List<Node> items) implements Node {
    @Override
    public Object plain() {
      List<Object> l = new ArrayList<>();
      items.forEach(i -> l.add(i.plain()));
      return l;
    }
  }

  /** A scalar: its text as written and what the parser took it for. */
  record Scalar(String path, int line, int column, String text, Type type) implements Node {
    public enum Type {
      STRING,
      INTEGER,
      DECIMAL,
      BOOLEAN,
      NULL
    }

    @Override
    public Object plain() {
      return switch (type) {
        case INTEGER -> Long.parseLong(text);
        case DECIMAL -> Double.parseDouble(text);
        case BOOLEAN -> Boolean.parseBoolean(text);
        case NULL -> null;
        case STRING -> text;
      };
    }

    /** How a problem quotes the value. */
    public String shown() {
      return type == Type.STRING ? "'" + text + "'" : text;
    }
  }
}
