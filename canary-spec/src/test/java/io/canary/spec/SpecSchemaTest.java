package io.canary.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.canary.spec.internal.Fields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSON Schema for editors, held to the reader: same objects, same fields, the same files valid. */
class SpecSchemaTest {
  private static final Schema SCHEMA = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
      .getSchema(SpecFile.schema(), InputFormat.JSON);

  static List<Path> validSpecs() {
    return SpecFiles.validSpecs();
  }

  @ParameterizedTest
  @MethodSource("validSpecs")
  void everySpecFileTheReaderTakesValidatesAgainstTheSchema(Path file) throws IOException {
    List<Error> errors = SCHEMA.validate(Files.readString(file), InputFormat.YAML);

    assertThat(errors).as(file.toString()).isEmpty();
  }

  @Test
  void theSchemaRefusesWhatTheReaderRefuses() throws IOException {
    List<Error> errors = SCHEMA.validate(Files.readString(SpecFiles.resource("invalid.yaml")), InputFormat.YAML);

    assertThat(errors).extracting(e -> e.getInstanceLocation().toString())
        .containsExactly("/target", "/steps/0/setWeight", "/steps/1/pause/duration", "/steps/2/setWeight", "/steps/3",
            "/steps/4/analysis/gate/sequentialJudge/alpha", "/progressDeadline");
  }

  @Test
  void theSchemaHasTheObjectsAndFieldsTheReaderAccepts() throws IOException {
    JsonNode defs = new ObjectMapper().readTree(SpecFile.schema()).get("$defs");
    Map<String, List<String>> schemaObjects = new TreeMap<>();
    defs.fields().forEachRemaining(def -> {
      JsonNode properties = def.getValue().get("properties");
      if (properties != null) {
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        schemaObjects.put(def.getKey(), names);
      }
    });

    assertThat(schemaObjects).isEqualTo(new TreeMap<>(Fields.OBJECTS));
    defs.fields().forEachRemaining(def -> {
      if (def.getValue().has("properties")) {
        assertThat(def.getValue().get("additionalProperties").asBoolean(true)).as(def.getKey() + " refuses other fields").isFalse();
      }
    });
  }
}
