/** Canary SDK istio module. */
package io.canary.istio;
