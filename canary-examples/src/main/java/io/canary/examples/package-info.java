/** Canary SDK examples module. */
package io.canary.examples;
