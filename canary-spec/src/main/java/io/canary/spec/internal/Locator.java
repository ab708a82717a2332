package io.canary.spec.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the node of the file a validation problem of {@code CanarySpec} is about, from the problem's
 * {@code where} ({@code step 3 (setWeight 120).weight}, {@code traffic.virtualServices[0].name},
 * {@code gates[1] (confirm-promotion approval).point}): the deepest node of the file on that path.
 */
final class Locator {
  private static final Pattern STEP = Pattern.compile("^step (\\d+) \\(");
  private static final Pattern TOKEN = Pattern.compile("([^.\\[\\]]+)|\\[([^\\]]*)]");

  private final Node top;
  private final List<Integer> stepItems;
  private final List<Integer> gateItems;

  /**
   * {@code stepItems} and {@code gateItems}: for each step and gate of the spec, the index of the
   * file's item it was read from (items that could not be read are not in the spec).
   */
  Locator(Node top, List<Integer> stepItems, List<Integer> gateItems) {
    this.top = top;
    this.stepItems = stepItems;
    this.gateItems = gateItems;
  }

  Node find(String where) {
    Node at = top;
    List<String> tokens = tokens(where);
    if (tokens.size() > 1 && (tokens.get(0).equals("steps") || tokens.get(0).equals("gates"))) {
      List<Integer> items = tokens.get(0).equals("steps") ? stepItems : gateItems;
      int index = Integer.parseInt(tokens.get(1));
      tokens.set(1, Integer.toString(index >= 0 && index < items.size() ? items.get(index) : index));
    }
    for (String token : tokens) {
      at = step(at, token).orElse(at);
    }
    return at;
  }

  private static List<String> tokens(String where) {
    String w = where;
    List<String> tokens = new ArrayList<>();
    Matcher step = STEP.matcher(w);
    if (step.find()) {
      tokens.add("steps");
      tokens.add(Integer.toString(Integer.parseInt(step.group(1)) - 1));
      w = afterDescription(w, step.end());
    } else if (w.startsWith("gates[")) {
      int close = w.indexOf(']');
      tokens.add("gates");
      tokens.add(w.substring(6, close));
      w = w.length() > close + 2 && w.charAt(close + 1) == ' ' ? afterDescription(w, close + 3) : w.substring(close + 1);
    }
    Matcher m = TOKEN.matcher(w);
    while (m.find()) {
      tokens.add(m.group(1) != null ? m.group(1).strip() : m.group(2));
    }
    return tokens;
  }

  /** What follows a {@code (description)} that began at {@code from}, whose text may hold parentheses. */
  private static String afterDescription(String w, int from) {
    int end = w.indexOf(").", from);
    return end < 0 ? "" : w.substring(end + 1);
  }

  private static Optional<Node> step(Node at, String token) {
    if (at instanceof Node.ListNode list) {
      try {
        int i = Integer.parseInt(token);
        return i >= 0 && i < list.items().size() ? Optional.of(list.items().get(i)) : Optional.empty();
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    if (!(at instanceof Node.MapNode map)) {
      return Optional.empty();
    }
    Node direct = map.fields().get(token);
    if (direct != null) {
      return Optional.of(direct);
    }
    // The file nests what the spec holds flat: traffic.istio.subsets.service is the strategy's service.
    for (Node child : map.fields().values()) {
      if (child instanceof Node.MapNode c) {
        if (c.fields().containsKey(token)) {
          return Optional.of(c.fields().get(token));
        }
        for (Node grandchild : c.fields().values()) {
          if (grandchild instanceof Node.MapNode g && g.fields().containsKey(token)) {
            return Optional.of(g.fields().get(token));
          }
        }
      }
    }
    // A step holds its one kind: steps[2] is {setWeight: 120}, the weight is its value.
    if (map.fields().size() == 1) {
      return Optional.of(map.fields().values().iterator().next());
    }
    return Optional.empty();
  }
}
