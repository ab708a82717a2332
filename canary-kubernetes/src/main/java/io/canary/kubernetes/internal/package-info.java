/** Implementation details of canary-kubernetes; not an API. */
@io.canary.core.CanaryStyle
package io.canary.kubernetes.internal;
