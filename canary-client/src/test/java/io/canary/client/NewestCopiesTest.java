package io.canary.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import org.junit.jupiter.api.Test;

class NewestCopiesTest {
  private static ConfigMap at(String resourceVersion, String value) {
    return new ConfigMapBuilder().withNewMetadata().withName("cm").withResourceVersion(resourceVersion).endMetadata()
        .addToData("v", value).build();
  }

  @Test
  void theOwnCopyIsHandedOutUntilTheCacheHoldsItsResourceVersionOrANewerOne() {
    NewestCopies<String, ConfigMap> copies = new NewestCopies<>();
    copies.remember("cm", at("12", "own write"));

    assertThat(copies.newest("cm", at("11", "cache lagging")).getData()).containsEntry("v", "own write");
    assertThat(copies.newest("cm", null).getData()).containsEntry("v", "own write");
    assertThat(copies.newest("cm", at("13", "someone else's later write")).getData()).containsEntry("v", "someone else's later write");
    // caught up: the own copy is forgotten, even an older cached copy is now the newest known
    assertThat(copies.newest("cm", at("11", "cache lagging")).getData()).containsEntry("v", "cache lagging");
  }

  @Test
  void aNewerKeptCopyIsNotReplacedByAnOlderOne() {
    NewestCopies<String, ConfigMap> copies = new NewestCopies<>();
    copies.remember("cm", at("20", "newer"));
    copies.remember("cm", at("19", "older"));

    assertThat(copies.newest("cm", at("18", "cache")).getData()).containsEntry("v", "newer");
  }

  @Test
  void resourceVersionsThatAreNotNumbersCountAsCaughtUpOnlyWhenEqual() {
    assertThat(NewestCopies.atLeastAsNew(at("b", "x"), at("a", "x"))).isFalse();
    assertThat(NewestCopies.atLeastAsNew(at("a", "x"), at("a", "x"))).isTrue();
    assertThat(NewestCopies.atLeastAsNew(at("10", "x"), at("9", "x"))).isTrue();
    assertThat(NewestCopies.atLeastAsNew(at("9", "x"), at("10", "x"))).isFalse();
  }
}
