/** demo/manifest.json: the demo catalog the embedded default loads into an empty database. */
export interface DemoManifest {
  source: string;
  tracks: {
    file: string;
    title: string;
    artist: string;
    bpm: number;
    license: { licensor: string; name: string; url: string | null; attribution: string };
  }[];
  /** Generated videos; their audio track is the voice-over, made to go with `musicTitle`. */
  videos: { file: string; musicTitle: string }[];
}
