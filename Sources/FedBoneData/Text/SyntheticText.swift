import FedBoneModels

/// The built-in procedural text data (the text counterpart of the scenes): English-like
/// sentences from a small grammar, each with a topic (for text classification) and a part of
/// speech per word (for token tagging).
///
/// A sentence follows one of four templates (e.g. `DET ADJ NOUN VERB DET NOUN`). Its nouns and
/// verbs come from its topic's words three times in four and from another topic's otherwise,
/// so the topic is learnable from the words together but not from any one of them; a tenth of
/// the nouns and verbs are words that are nouns in one place and verbs in another (`train`,
/// `record`, `play`, `light`), so tagging them needs the context. Deterministic given the seed.
public enum SyntheticText {
    /// The topics (classification labels, in label order).
    public static let topics = ["sports", "science", "music", "food"]
    /// The parts of speech (tags, in tag order).
    public static let tags = ["DET", "ADJ", "NOUN", "VERB", "ADV", "PREP"]

    /// One generated sentence.
    public struct Sentence: Sendable, Equatable {
        public var words: [String]
        /// The index in ``tags`` of each word's part of speech.
        public var tags: [Int]
        /// The index in ``topics``.
        public var topic: Int

        /// The words joined by spaces.
        public var text: String { words.joined(separator: " ") }
    }

    /// `count` sentences drawn from `seed`.
    public static func sentences(count: Int, seed: UInt64) -> [Sentence] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in sentence(&generator) }
    }

    private enum Tag: Int { case det, adj, noun, verb, adv, prep }

    private static let templates: [[Tag]] = [
        [.det, .adj, .noun, .verb, .det, .noun],
        [.det, .noun, .adv, .verb, .det, .adj, .noun, .prep, .det, .noun],
        [.det, .noun, .verb, .prep, .det, .noun],
        [.adv, .det, .noun, .verb, .det, .adj, .noun],
    ]
    private static let nouns = [
        ["team", "ball", "goal", "coach", "match", "player", "stadium", "race"],
        ["lab", "atom", "theory", "sample", "telescope", "cell", "experiment", "data"],
        ["song", "band", "guitar", "drum", "melody", "concert", "singer", "album"],
        ["bread", "soup", "chef", "kitchen", "recipe", "cheese", "oven", "salad"],
    ]
    private static let verbs = [
        ["kicks", "wins", "scores", "defends", "passes"],
        ["measures", "observes", "tests", "proves", "analyses"],
        ["sings", "strums", "composes", "tunes", "performs"],
        ["bakes", "cooks", "tastes", "serves", "slices"],
    ]
    private static let topicAdjectives = [
        ["fast", "strong", "fit"], ["precise", "empirical", "cosmic"], ["loud", "melodic", "live"], ["fresh", "spicy", "sweet"],
    ]
    private static let adjectives = ["big", "small", "new", "old", "quiet", "bright"]
    private static let determiners = ["the", "a", "every", "some", "this"]
    private static let adverbs = ["quickly", "slowly", "often", "rarely"]
    private static let prepositions = ["with", "near", "after", "before", "under"]
    /// Words that are nouns or verbs depending on where they stand.
    private static let ambiguous = ["train", "record", "play", "light"]

    private static func pick(_ words: [String], _ g: inout SeededGenerator) -> String {
        words[Int(g.next() % UInt64(words.count))]
    }

    private static func chance(_ p: Double, _ g: inout SeededGenerator) -> Bool {
        g.nextUnitDouble() < p
    }

    private static func sentence(_ g: inout SeededGenerator) -> Sentence {
        let topic = Int(g.next() % UInt64(topics.count))
        let template = templates[Int(g.next() % UInt64(templates.count))]
        func source(_ g: inout SeededGenerator) -> Int {
            chance(0.75, &g) ? topic : (topic + 1 + Int(g.next() % UInt64(topics.count - 1))) % topics.count
        }
        var words: [String] = []
        for tag in template {
            switch tag {
            case .det: words.append(pick(determiners, &g))
            case .adj: words.append(chance(0.5, &g) ? pick(topicAdjectives[topic], &g) : pick(adjectives, &g))
            case .noun, .verb:
                if chance(0.1, &g) {
                    words.append(pick(ambiguous, &g))
                } else {
                    let t = source(&g)
                    words.append(pick(tag == .noun ? nouns[t] : verbs[t], &g))
                }
            case .adv: words.append(pick(adverbs, &g))
            case .prep: words.append(pick(prepositions, &g))
            }
        }
        return Sentence(words: words, tags: template.map(\.rawValue), topic: topic)
    }
}
