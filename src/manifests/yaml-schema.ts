import { CORE_SCHEMA, defineScalarTag, intCoreTag, mergeTag } from 'js-yaml'

/**
 * The YAML schema wavesync reads manifests with (docs/manifests.md):
 * - YAML 1.2 core, so `yes`/`on` stay strings and timestamps stay strings, as the API expects;
 * - merge keys (`<<: *base`), which kubectl accepts and users write;
 * - a plain integer with a leading zero is octal, as kubectl (YAML 1.1) reads it: `defaultMode: 0644`
 *   must reach the API server as 420, never as 644 (which it rejects or, worse, accepts as another mode).
 * The places where YAML 1.1 and 1.2 disagree are reported as warnings by the parser.
 */
const octalIntTag = defineScalarTag<unknown>(intCoreTag.tagName, {
  implicit: true,
  implicitFirstChars: intCoreTag.implicitFirstChars,
  resolve: (source, isExplicit, tagName) =>
    LEGACY_OCTAL.test(source) ? parseInt(source, 8) : intCoreTag.resolve(source, isExplicit, tagName),
  identify: intCoreTag.identify,
  represent: intCoreTag.represent
})

/** `0644`, `-012`: YAML 1.1 octal; `0` alone and `0o644` are plain YAML 1.2. */
export const LEGACY_OCTAL = /^[-+]?0[0-7]+$/

/** Plain scalars YAML 1.1 (and so kubectl) reads as booleans, while YAML 1.2 reads strings. */
export const YAML11_BOOLEAN = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/

/** Plain scalars YAML 1.1 reads as base-60 numbers (`1:30` is 90). */
export const YAML11_SEXAGESIMAL = /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/

export const MANIFEST_SCHEMA = CORE_SCHEMA.withTags(mergeTag, octalIntTag)
