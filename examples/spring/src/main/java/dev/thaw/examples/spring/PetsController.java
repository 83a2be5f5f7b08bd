package dev.thaw.examples.spring;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/**
 * GET /ping -> {"pong":true}; GET /pets/{id} -> a pet whose fields are derived from the id; POST /pets -> 201 with
 * the pet sent and a cookie naming it.
 */
@RestController
public class PetsController {

    private static final List<String> NAMES = List.of("Bella", "Luna", "Charlie", "Max", "Daisy", "Milo");
    private static final List<String> BREEDS = List.of("Beagle", "Husky", "Poodle", "Collie", "Corgi", "Boxer");

    @GetMapping("/ping")
    public Map<String, Boolean> ping() {
        return Map.of("pong", true);
    }

    @GetMapping("/pets/{id}")
    public Pet pet(@PathVariable("id") String id) {
        int i = Math.floorMod(id.hashCode(), NAMES.size());
        return new Pet(id, NAMES.get(i), BREEDS.get(i), "2020-0" + (i + 1) + "-15");
    }

    @PostMapping("/pets")
    public ResponseEntity<Pet> create(@RequestBody Pet pet) {
        return ResponseEntity.status(201).header("Set-Cookie", "last-pet=" + pet.id() + "; Path=/").body(pet);
    }
}
