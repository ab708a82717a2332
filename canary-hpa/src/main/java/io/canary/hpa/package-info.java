/** Canary SDK hpa module. */
package io.canary.hpa;
