/**
 * Functions, versions and aliases: Lambda's control-plane model.
 *
 * <p>It owns validation of function settings, the content-addressed code store, version publishing and alias
 * routing. Values are immutable records; {@link dev.thaw.functions.FunctionService} is the only writer. It knows
 * nothing about HTTP: the api package parses requests into the commands defined here.
 */
package dev.thaw.functions;
