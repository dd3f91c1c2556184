using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using Veiligheid.Accountability;

namespace Veiligheid.Tests.Accountability;

/// <summary>
/// The record hash is a stored format: logs written by earlier versions must keep verifying. These expected values were
/// computed outside .NET (Python's hashlib over the seventeen fields joined by U+001F, UTF-8) from the form as it was
/// first defined, so any change to it fails here.
/// </summary>
public sealed class RecordHashTests
{
    private static ProcessingRecord Full(long sequence = 42, string previous = "") => new()
    {
        Sequence = sequence,
        ActionId = Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"),
        ActionName = "ZorgOverzichtÜ – “casus”",
        OccurredAt = new DateTime(2026, 11, 29, 22, 59, 1, DateTimeKind.Utc).AddTicks(1234567),
        OrganisationId = 7,
        OrganisationKey = "zorg-noord",
        Role = "Zorg.Medewerker",
        ApplicationId = "app-client-1",
        UserId = "user-obj-9",
        Purpose = "casusoverleg-zorg-en-veiligheid",
        LegalGround = "Wet publieke gezondheid art. 5 – ë",
        PersonId = 123,
        ProtectedBsn = string.Concat(Enumerable.Repeat("a1", 32)),
        Categories = "Casus,Zorg",
        Confidentiality = ProcessingConfidentiality.Vertrouwelijk,
        RetentionYears = 5,
        PreviousHash = previous.Length > 0 ? previous : new string('f', 64),
        Hash = "",
    };

    private static ProcessingRecord Sparse() => new()
    {
        Sequence = 9007199254740993,
        ActionId = Guid.Parse("00000000-0000-0000-0000-000000000001"),
        ActionName = "(anonymous)",
        OccurredAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        OrganisationId = 1,
        OrganisationKey = "politie-noord",
        Role = "Politie",
        ApplicationId = "politie-app",
        UserId = null,
        Purpose = "aanpak-woonoverlast",
        LegalGround = "AVG art. 6(1)(e)",
        PersonId = null,
        ProtectedBsn = null,
        Categories = "Identiteit",
        Confidentiality = ProcessingConfidentiality.Normaal,
        RetentionYears = 2,
        PreviousHash = ProcessingLog.GenesisHash,
        Hash = "",
    };

    [Fact]
    public void The_hash_of_a_record_with_every_field_is_the_defined_form()
        => Assert.Equal("9c733049ec700a956fd914d238e8c8d53b5c70ce4075a00642f895d40d585c22", ProcessingLog.HashOf(Full()));

    [Fact]
    public void The_hash_of_a_record_without_user_person_or_BSN_is_the_defined_form()
        => Assert.Equal("657242443b171b976281a4a8cb8cf6c3814d6057ea6efcd2a47505bcb1ed7fb4", ProcessingLog.HashOf(Sparse()));

    [Fact]
    public void One_hasher_for_an_actions_records_gives_each_its_own_hash()
    {
        // The chain hashes a request's records with one hasher (the action's fields encoded once); each record's own
        // fields still count, and a record of another action is refused rather than hashed with the wrong fields.
        var first = Full();
        var hasher = new RecordHasher(first);
        var second = Full(sequence: 43, previous: hasher.Hash(first));
        second.PersonId = 124;
        second.ProtectedBsn = null;
        second.Categories = "Casus";
        second.Confidentiality = ProcessingConfidentiality.Normaal;

        Assert.Equal(ProcessingLog.HashOf(first), hasher.Hash(first));
        Assert.Equal(ProcessingLog.HashOf(second), hasher.Hash(second));
        Assert.NotEqual(hasher.Hash(first), hasher.Hash(second));
        Assert.False(hasher.Covers(Sparse()));
        Assert.Throws<ArgumentException>(() => hasher.Hash(Sparse()));
    }

    [Fact]
    public void Chaining_requests_hashes_each_request_as_one_action()
    {
        List<List<ProcessingRecord>> requests = [[Full(), Full()], [Sparse()], [Full(), Full(), Full()]];
        var rows = ProcessingLog.Chain(requests, 100, ProcessingLog.GenesisHash);

        var all = requests.SelectMany(r => r).ToList();
        Assert.Equal(Enumerable.Range(101, 6).Select(i => (long)i), all.Select(r => r.Sequence));
        var previous = ProcessingLog.GenesisHash;
        foreach (var request in requests)
        {
            var hash = RecordHasher.ActionHash(request, previous);
            Assert.All(request, r => Assert.Equal(hash, r.Hash));
            previous = hash;
        }
        // Three actions although the first and third requests share every action field: an action is a request. Each
        // holds its records' hash; their entries hold none.
        Assert.Equal(requests.Select(r => r[0].Hash), rows.Actions.Select(a => a.Hash));
        Assert.All(rows.Entries, e => Assert.Equal("", e.Hash));
        Assert.Equal([101L, 103L, 104L], rows.Actions.Select(a => a.Id));
    }

    [Fact]
    public void An_actions_hash_is_the_defined_form()
    {
        // Expected values from Python's hashlib (the script is in BENCHMARKS.md, "Eighteenth round").
        var first = Full(sequence: 42);
        var second = Full(sequence: 43);
        second.PersonId = null;
        second.ProtectedBsn = null;
        second.Categories = "Identiteit";
        second.Confidentiality = ProcessingConfidentiality.Normaal;
        Assert.Equal("290e1dea3cd435ebaa80b1a610559622d488fb268cdf7881cd40f601edaa33e5", RecordHasher.ActionHash([first, second], new string('f', 64)));
        Assert.Equal("ce5697d22b22a53395ef87cc66875e3b2b8c38f9fce2c232b7736b9c9c5ecf59", RecordHasher.ActionHash([Sparse()], ProcessingLog.GenesisHash));
    }

    [Fact]
    public void Every_field_of_an_action_and_of_each_record_counts_in_its_hash()
    {
        List<ProcessingRecord> Action()
        {
            var second = Full(sequence: 43);
            second.PersonId = 124;
            return [Full(sequence: 42), second];
        }
        var original = RecordHasher.ActionHash(Action(), ProcessingLog.GenesisHash);
        Action<List<ProcessingRecord>>[] changes =
        [
            a => a.ForEach(r => r.Sequence++), a => a.ForEach(r => r.ActionId = Guid.Empty), a => a.ForEach(r => r.ActionName += "x"),
            a => a.ForEach(r => r.OccurredAt = r.OccurredAt.AddTicks(1)), a => a.ForEach(r => r.OrganisationId++), a => a.ForEach(r => r.OrganisationKey += "x"),
            a => a.ForEach(r => r.Role += "x"), a => a.ForEach(r => r.ApplicationId += "x"), a => a.ForEach(r => r.UserId = null),
            a => a.ForEach(r => r.Purpose += "x"), a => a.ForEach(r => r.LegalGround += "x"), a => a.ForEach(r => r.RetentionYears++),
            a => a[1].PersonId = null, a => a[1].ProtectedBsn = null, a => a[0].Categories = "Casus", a => a[1].Confidentiality = ProcessingConfidentiality.Normaal,
            a => a.RemoveAt(1), a => a.Add(Full(sequence: 44)),
            a => (a[0].PersonId, a[1].PersonId) = (a[1].PersonId, a[0].PersonId),
        ];
        var hashes = changes.Select(change =>
        {
            var action = Action();
            change(action);
            return RecordHasher.ActionHash(action, ProcessingLog.GenesisHash);
        }).Append(RecordHasher.ActionHash(Action(), new string('f', 64))).ToList();
        Assert.DoesNotContain(original, hashes);
        Assert.Equal(hashes.Count, hashes.Distinct().Count());
        // Records that are not one consecutive run of one action are refused, not hashed.
        var gap = Action();
        gap[1].Sequence = 45;
        Assert.Throws<ArgumentException>(() => RecordHasher.ActionHash(gap, ProcessingLog.GenesisHash));
        var mixed = Action();
        mixed[1].Purpose = "other";
        Assert.Throws<ArgumentException>(() => RecordHasher.ActionHash(mixed, ProcessingLog.GenesisHash));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)] // the look-up reads one more than the most: overflowed, it would read no one and log no one
    public void A_most_persons_matched_outside_its_range_stops_the_hub_at_start(int most)
    {
        var options = Options.Create(new ProcessingLogOptions { PseudonymKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", MostPersonsMatched = most });

        var refused = Assert.Throws<Veiligheid.Data.HubConfigurationException>(() => new ProcessingLog(options, new HostingEnvironment { EnvironmentName = "Production" }));

        Assert.Contains("MostPersonsMatched must be from 1 to 1000000", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_BSNs_protected_form_is_HMAC_SHA256_under_the_key_on_every_thread()
    {
        // Also a stored format: the access report finds a data subject's records by it. Expected values from Python's hmac.
        using var log = new ProcessingLog(Options.Create(new ProcessingLogOptions { PseudonymKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" }),
            new HostingEnvironment { EnvironmentName = "Production" });
        const string first = "8e4c078580cfe222fd12ced43ae58d770a18bb5092337edc9e9ba06050b7ba02";
        const string second = "127cb51337da882832d6cc19a9f5a304ce558175a864558ff81bb82dc2765a85";
        Assert.Equal(first, log.Protect("123456782"));
        Assert.Equal(second, log.Protect("000000000"));
        // Kept from the first call: the same string, not one computed again.
        Assert.Same(log.Protect("123456782"), log.Protect("123456782"));

        // Computed each time, not kept: the thread's HMAC starts over after each BSN.
        Assert.Equal(first, log.ComputeProtected("123456782"));
        Assert.Equal(second, log.ComputeProtected("000000000"));
        Assert.Equal(first, log.ComputeProtected("123456782"));
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            Enumerable.Range(0, 200).All(j => log.ComputeProtected((i + j) % 2 == 0 ? "123456782" : "000000000") == ((i + j) % 2 == 0 ? first : second)))));
        Assert.All(results, Assert.True);
    }

    [Fact]
    public async Task Kept_protected_forms_are_bounded_and_stay_correct_across_threads()
    {
        var forms = new ProtectedForms(capacity: 100);
        Assert.Equal("form-0", forms.Keep("bsn-0", "form-0"));
        Assert.True(forms.TryGetValue("bsn-0", out var kept));
        Assert.Equal("form-0", kept);
        // Past its capacity it starts empty again: the first BSN is no longer kept, the last one is.
        for (var i = 1; i <= 100; i++) forms.Keep($"bsn-{i}", $"form-{i}");
        Assert.False(forms.TryGetValue("bsn-0", out _));
        Assert.True(forms.TryGetValue("bsn-100", out kept));
        Assert.Equal("form-100", kept);

        // Many threads keeping and reading while it starts over never see another BSN's form.
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            Enumerable.Range(0, 5_000).All(i =>
            {
                var bsn = $"bsn-{(i * 7 + t) % 350}";
                var form = "form-" + bsn[4..];
                if (forms.TryGetValue(bsn, out var found)) return found == form;
                return forms.Keep(bsn, form) == form;
            }))));
        Assert.All(results, Assert.True);
    }
}
