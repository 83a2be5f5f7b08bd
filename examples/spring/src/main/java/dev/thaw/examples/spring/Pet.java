package dev.thaw.examples.spring;

/** A pet, as in the serverless-java-container pet-store sample. */
public record Pet(String id, String name, String breed, String dateOfBirth) {
}
