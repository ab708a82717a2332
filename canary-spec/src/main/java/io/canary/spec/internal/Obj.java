package io.canary.spec.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads one mapping of the spec format ({@link Fields} names the fields it accepts): each getter adds
 * a problem at the value's line when the value is of the wrong kind and answers empty, so that reading
 * goes on and every problem is found.
 */
public final class Obj {
  private final Node.MapNode node;
  private final String definition;
  private final List<String> accepted;
  private final Problems problems;

  private Obj(Node.MapNode node, String definition, Problems problems) {
    this.node = node;
    this.definition = definition;
    this.accepted = Fields.OBJECTS.get(definition);
    this.problems = problems;
    node.fields().forEach((key, value) -> {
      if (!accepted.contains(key)) {
        problems.at(value, "unknown field '" + key + "'; " + definition + " takes " + String.join(", ", accepted));
      }
    });
  }

  /** {@code node} as a {@code definition} mapping; empty (and a problem) when it is not a mapping. */
  public static Optional<Obj> of(Node node, String definition, Problems problems) {
    if (node instanceof Node.MapNode map) {
      return Optional.of(new Obj(map, definition, problems));
    }
    problems.at(node, "must be a mapping (" + definition + ": " + String.join(", ", Fields.OBJECTS.get(definition))
        + "), was " + kindOf(node));
    return Optional.empty();
  }

  public Node node() {
    return node;
  }

  public Problems problems() {
    return problems;
  }

  public boolean has(String key) {
    return node.fields().containsKey(check(key));
  }

  /** The keys given, of those this definition accepts, in the order written. */
  public List<String> given() {
    return node.fields().keySet().stream().filter(accepted::contains).toList();
  }

  public Optional<Node> get(String key) {
    return Optional.ofNullable(node.fields().get(check(key)));
  }

  /** A required field: a problem at the mapping when it is missing. */
  public Optional<Node> require(String key, String hint) {
    Optional<Node> value = get(key);
    if (value.isEmpty()) {
      problems.at(node, "'" + key + "' is required" + (hint.isEmpty() ? "" : ": " + hint));
    }
    return value;
  }

  public Optional<String> string(String key) {
    return get(key).flatMap(n -> text(n, problems));
  }

  public Optional<String> requireString(String key, String hint) {
    return require(key, hint).flatMap(n -> text(n, problems));
  }

  /** A string, or a number written without quotes ({@code maxSurge: 3}). */
  public Optional<String> stringOrNumber(String key) {
    return get(key).flatMap(n -> {
      if (n instanceof Node.Scalar s && s.type() == Node.Scalar.Type.INTEGER) {
        return Optional.of(s.text());
      }
      return text(n, problems);
    });
  }

  public Optional<Integer> integer(String key) {
    return get(key).flatMap(n -> integer(n, problems));
  }

  public Optional<Long> longValue(String key) {
    return scalar(key, "a whole number", Long::parseLong, Node.Scalar.Type.INTEGER);
  }

  public Optional<Double> number(String key) {
    return scalar(key, "a number", Double::parseDouble, Node.Scalar.Type.INTEGER, Node.Scalar.Type.DECIMAL);
  }

  public Optional<Boolean> bool(String key) {
    return scalar(key, "true or false", Boolean::parseBoolean, Node.Scalar.Type.BOOLEAN);
  }

  /** A scalar of one of {@code types}, parsed; a problem naming {@code what} it must be otherwise. */
  private <T> Optional<T> scalar(String key, String what, Function<String, T> parse, Node.Scalar.Type... types) {
    return get(key).flatMap(n -> {
      if (n instanceof Node.Scalar s && java.util.Arrays.asList(types).contains(s.type())) {
        return Optional.of(parse.apply(s.text()));
      }
      problems.at(n, "must be " + what + ", was " + shown(n));
      return Optional.empty();
    });
  }

  public Optional<Duration> duration(String key) {
    return get(key).flatMap(n -> text(n, problems).flatMap(t -> {
      Optional<Duration> d = SpecDurations.parse(t);
      if (d.isEmpty()) {
        problems.at(n, "'" + t + "' is not a duration; write it as 30s, 10m, 1h30m, 500ms (or ISO-8601, PT30S)");
      }
      return d;
    }));
  }

  public Optional<URI> uri(String key) {
    return get(key).flatMap(n -> text(n, problems).flatMap(t -> {
      try {
        URI uri = new URI(t);
        if (uri.getScheme() == null || uri.getHost() == null) {
          problems.at(n, "'" + t + "' is not an absolute http(s) URL with a host");
          return Optional.empty();
        }
        return Optional.of(uri);
      } catch (URISyntaxException e) {
        problems.at(n, "'" + t + "' is not a URL: " + e.getReason());
        return Optional.empty();
      }
    }));
  }

  /** One of {@code choices}, by the name written (case as given). */
  public <E> Optional<E> choice(String key, Map<String, E> choices) {
    return get(key).flatMap(n -> text(n, problems).flatMap(t -> {
      E e = choices.get(t);
      if (e == null) {
        problems.at(n, "'" + t + "' is not one of " + String.join(", ", choices.keySet()));
      }
      return Optional.ofNullable(e);
    }));
  }

  /** A sequence, each item read by {@code item} (empty items left out: their problems are added). */
  public <T> List<T> list(String key, Function<Node, Optional<T>> item) {
    Optional<Node> value = get(key);
    if (value.isEmpty()) {
      return List.of();
    }
    if (!(value.get() instanceof Node.ListNode list)) {
      problems.at(value.get(), "must be a list, was " + kindOf(value.get()));
      return List.of();
    }
    List<T> out = new ArrayList<>();
    list.items().forEach(n -> item.apply(n).ifPresent(out::add));
    return out;
  }

  /** A mapping of names to strings ({@code images}, {@code metadata}), in the order written. */
  public Map<String, String> stringMap(String key) {
    Map<String, String> out = new LinkedHashMap<>();
    get(key).ifPresent(n -> {
      if (!(n instanceof Node.MapNode map)) {
        problems.at(n, "must be a mapping of names to strings, was " + kindOf(n));
        return;
      }
      map.fields().forEach((k, v) -> text(v, problems).ifPresent(t -> out.put(k, t)));
    });
    return out;
  }

  /** The object of a field, as {@code definition}. */
  public Optional<Obj> obj(String key, String definition) {
    return get(key).flatMap(n -> of(n, definition, problems));
  }

  /** Exactly one of this mapping's fields is given (a step, a gate kind): that field's name. */
  public Optional<String> oneOf(String what) {
    List<String> given = given();
    if (given.size() != 1) {
      problems.at(node, (given.isEmpty() ? "no " + what + " given" : "more than one " + what + " given (" + String.join(", ", given) + ")")
          + "; give exactly one of " + String.join(", ", accepted));
      return Optional.empty();
    }
    return Optional.of(given.get(0));
  }

  public static Optional<String> text(Node n, Problems problems) {
    if (n instanceof Node.Scalar s && s.type() == Node.Scalar.Type.STRING) {
      return Optional.of(s.text());
    }
    problems.at(n, "must be a string, was " + shown(n));
    return Optional.empty();
  }

  public static Optional<Integer> integer(Node n, Problems problems) {
    if (n instanceof Node.Scalar s && s.type() == Node.Scalar.Type.INTEGER) {
      long v = Long.parseLong(s.text());
      if (v == (int) v) {
        return Optional.of((int) v);
      }
    }
    problems.at(n, "must be a whole number, was " + shown(n));
    return Optional.empty();
  }

  static String shown(Node n) {
    return n instanceof Node.Scalar s ? s.shown() : kindOf(n);
  }

  static String kindOf(Node n) {
    if (n instanceof Node.MapNode) {
      return "a mapping";
    }
    if (n instanceof Node.ListNode) {
      return "a list";
    }
    Node.Scalar s = (Node.Scalar) n;
    return s.type() == Node.Scalar.Type.NULL ? "empty" : s.shown();
  }

  private String check(String key) {
    if (!accepted.contains(key)) {
      throw new IllegalStateException(definition + " has no field '" + key + "' in Fields; add it there and to the schema");
    }
    return key;
  }
}
