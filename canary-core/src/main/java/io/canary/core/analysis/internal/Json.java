package io.canary.core.analysis.internal;

import java.util.Map;

/**
 * Writes the few JSON shapes a webhook payload needs (objects of strings, numbers and objects). The core
 * depends on nothing but slf4j, and a payload this small does not justify a JSON library for every user.
 */
public final class Json {
  private Json() {}

  /** {@code value} as JSON: a {@link Map} (keys as strings, in its order), a {@link Number}, a {@link Boolean}, null, or text. */
  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  private static void write(Object value, StringBuilder out) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof Map<?, ?> map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(String.valueOf(e.getKey()), out);
        out.append(':');
        write(e.getValue(), out);
      }
      out.append('}');
    } else if (value instanceof Number n) {
      double d = n.doubleValue();
      // JSON has no NaN or infinity: such a figure is unknown.
      out.append(Double.isFinite(d) ? n.toString() : "null");
    } else if (value instanceof Boolean b) {
      out.append(b);
    } else {
      string(value.toString(), out);
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
