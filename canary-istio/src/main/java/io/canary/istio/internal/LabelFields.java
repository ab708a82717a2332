package io.canary.istio.internal;

/** The objects that carry label keys the router owns: DestinationRules and Services. */
abstract class LabelFields implements OwnedFields {
  private final ObjectRef ref;

  LabelFields(ObjectRef ref) {
    this.ref = ref;
  }

  @Override
  public final ObjectRef ref() {
    return ref;
  }

  @Override
  public final boolean carriesWeights() {
    return false;
  }
}
