package io.canary.spec.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses YAML or JSON into {@link Node}s that keep their line and column (from Jackson's parser
 * locations), so every later problem can name where it was written.
 */
public final class Tree {
  private static final YAMLFactory YAML = new YAMLFactory();
  private static final JsonFactory JSON = new JsonFactory();

  private Tree() {}

  /**
   * The document's top node; empty when the text is not well-formed, with the syntax problem added to
   * {@code problems} (the parser stops at the first one).
   */
  public static Optional<Node> parse(String text, boolean json, Problems problems) {
    try (JsonParser p = (json ? JSON : YAML).createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        problems.add("", 1, 1, "the file is empty; a spec needs at least name, target, revision, traffic and steps");
        return Optional.empty();
      }
      Node top = read(p, "", problems);
      if (p.nextToken() != null) {
        JsonLocation at = p.currentTokenLocation();
        problems.add("", at.getLineNr(), at.getColumnNr(), "the file holds more than one document; give one spec per file");
      }
      return Optional.of(top);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      problems.add("", at == null ? 0 : at.getLineNr(), at == null ? 0 : at.getColumnNr(),
          "not well-formed " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage());
      return Optional.empty();
    } catch (IOException e) {
      problems.add("", 0, 0, "cannot be read: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static Node read(JsonParser p, String path, Problems problems) throws IOException {
    JsonLocation at = p.currentTokenLocation();
    int line = at.getLineNr();
    int column = at.getColumnNr();
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, Node> fields = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          JsonLocation keyAt = p.currentTokenLocation();
          p.nextToken();
          Node value = read(p, path.isEmpty() ? key : path + "." + key, problems);
          if (fields.putIfAbsent(key, value) != null) {
            problems.add(value.path(), keyAt.getLineNr(), keyAt.getColumnNr(), "'" + key + "' is given twice; give it once");
          }
        }
        return new Node.MapNode(path, line, column, fields);
      }
      case START_ARRAY -> {
        List<Node> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(p, path + "[" + items.size() + "]", problems));
        }
        return new Node.ListNode(path, line, column, List.copyOf(items));
      }
      case VALUE_NUMBER_INT -> {
        BigInteger big = p.getBigIntegerValue();
        boolean fits = big.bitLength() < 64;
        return new Node.Scalar(path, line, column, fits ? big.toString() : p.getText(),
            fits ? Node.Scalar.Type.INTEGER : Node.Scalar.Type.STRING);
      }
      case VALUE_NUMBER_FLOAT -> {
        return new Node.Scalar(path, line, column, Double.toString(p.getDoubleValue()), Node.Scalar.Type.DECIMAL);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new Node.Scalar(path, line, column, Boolean.toString(t == JsonToken.VALUE_TRUE), Node.Scalar.Type.BOOLEAN);
      }
      case VALUE_NULL -> {
        return new Node.Scalar(path, line, column, "null", Node.Scalar.Type.NULL);
      }
      default -> {
        return new Node.Scalar(path, line, column, p.getText(), Node.Scalar.Type.STRING);
      }
    }
  }
}
