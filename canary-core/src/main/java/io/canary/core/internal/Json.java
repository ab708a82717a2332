package io.canary.core.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON core needs for its stored documents, without a library: objects as ordered maps,
 * arrays as lists, strings, numbers (as {@code long} or {@code double}), booleans and null.
 */
public final class Json {
  private final String text;
  private int at;

  private Json(String text) {
    this.text = text;
  }

  /** Parses {@code text}; throws {@link IllegalArgumentException} naming the offset of the first error. */
  public static Object parse(String text) {
    Json p = new Json(text);
    p.space();
    Object value = p.value();
    p.space();
    if (p.at != text.length()) {
      throw p.error("unexpected text after the document");
    }
    return value;
  }

  /** {@code value} as JSON, objects' members on lines of their own, indented by two spaces. */
  public static String write(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value, "", true);
    return b.toString();
  }

  /** {@code value} as JSON on one line, for payloads sent over the wire. */
  public static String compact(Object value) {
    StringBuilder b = new StringBuilder();
    write(b, value, "", false);
    return b.toString();
  }

  /** Maps (keys as text, in their order), lists, text, numbers (a non-finite one is unknown: null), booleans, null. */
  private static void write(StringBuilder b, Object value, String indent, boolean pretty) {
    if (value == null) {
      b.append("null");
    } else if (value instanceof String s) {
      quote(b, s);
    } else if (value instanceof Number n) {
      b.append(Double.isFinite(n.doubleValue()) ? n.toString() : "null");
    } else if (value instanceof Boolean) {
      b.append(value);
    } else if (value instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        b.append("{}");
        return;
      }
      String inner = indent + "  ";
      b.append(pretty ? "{\n" : "{");
      int i = 0;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        b.append(pretty ? inner : "");
        quote(b, String.valueOf(e.getKey()));
        b.append(pretty ? ": " : ":");
        write(b, e.getValue(), inner, pretty);
        b.append(++i < map.size() ? "," : "").append(pretty ? "\n" : "");
      }
      b.append(pretty ? indent : "").append('}');
    } else if (value instanceof List<?> list) {
      if (list.isEmpty()) {
        b.append("[]");
        return;
      }
      String inner = indent + "  ";
      b.append(pretty ? "[\n" : "[");
      for (int i = 0; i < list.size(); i++) {
        b.append(pretty ? inner : "");
        write(b, list.get(i), inner, pretty);
        b.append(i + 1 < list.size() ? "," : "").append(pretty ? "\n" : "");
      }
      b.append(pretty ? indent : "").append(']');
    } else {
      quote(b, value.toString());
    }
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  private Object value() {
    if (at >= text.length()) {
      throw error("the document ends where a value should be");
    }
    char c = text.charAt(at);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        return number();
    }
  }

  private Map<String, Object> object() {
    Map<String, Object> map = new LinkedHashMap<>();
    at++;
    space();
    if (peek() == '}') {
      at++;
      return map;
    }
    while (true) {
      space();
      if (peek() != '"') {
        throw error("expected a member name in quotes");
      }
      String key = string();
      space();
      expect(':');
      space();
      map.put(key, value());
      space();
      if (peek() == ',') {
        at++;
      } else {
        expect('}');
        return map;
      }
    }
  }

  private List<Object> array() {
    List<Object> list = new ArrayList<>();
    at++;
    space();
    if (peek() == ']') {
      at++;
      return list;
    }
    while (true) {
      space();
      list.add(value());
      space();
      if (peek() == ',') {
        at++;
      } else {
        expect(']');
        return list;
      }
    }
  }

  private String string() {
    StringBuilder b = new StringBuilder();
    at++;
    while (at < text.length()) {
      char c = text.charAt(at++);
      if (c == '"') {
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (at >= text.length()) {
        break;
      }
      char e = text.charAt(at++);
      switch (e) {
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'u' -> {
          if (at + 4 > text.length()) {
            throw error("a \\u escape needs four hex digits");
          }
          b.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
          at += 4;
        }
        default -> b.append(e);
      }
    }
    throw error("a string is not closed");
  }

  private Object number() {
    int start = at;
    while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
      at++;
    }
    String n = text.substring(start, at);
    if (n.isEmpty()) {
      throw error("unexpected character '" + text.charAt(start) + "'");
    }
    try {
      return n.contains(".") || n.contains("e") || n.contains("E") ? (Object) Double.parseDouble(n) : (Object) Long.parseLong(n);
    } catch (NumberFormatException e) {
      throw error("'" + n + "' is not a number");
    }
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, at)) {
      throw error("expected " + word);
    }
    at += word.length();
    return value;
  }

  private char peek() {
    return at < text.length() ? text.charAt(at) : '\0';
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    at++;
  }

  private void space() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at offset " + at);
  }
}
