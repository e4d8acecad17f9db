using Edi2.HelseId;

namespace Edi2.Client.Tests.HelseId;

public class KeyFileTests
{
    [Fact]
    public void A_private_key_file_is_readable_by_its_owner_only_and_never_silently_replaced()
    {
        string folder = Directory.CreateTempSubdirectory("edi2-keyfile-").FullName;
        string path = Path.Combine(folder, "client.json");
        try
        {
            using var key = SigningKey.Generate("ES256");
            KeyFile.WritePrivate(path, key.ExportPrivateJwk(), overwrite: false);

            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
            using (var again = SigningKey.FromFile(path)) Assert.Equal(key.Thumbprint, again.Thumbprint);

            var e = Assert.Throws<Edi2KeyException>(() => KeyFile.WritePrivate(path, "{}", overwrite: false));
            Assert.Equal(KeyErrorReason.FileExists, e.KeyReason);
            Assert.Contains("-Force", e.Message);
            using (var still = SigningKey.FromFile(path)) Assert.Equal(key.Thumbprint, still.Thumbprint);

            using var replacement = SigningKey.Generate("ES256");
            KeyFile.WritePrivate(path, replacement.ExportPrivateJwk(), overwrite: true);
            using (var now = SigningKey.FromFile(path)) Assert.Equal(replacement.Thumbprint, now.Thumbprint);
            Assert.Single(Directory.GetFiles(folder)); // no temporary file left behind
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_missing_folder_is_a_clear_error()
    {
        string path = Path.Combine(Path.GetTempPath(), "edi2-no-folder-" + Guid.NewGuid(), "k.json");
        var e = Assert.Throws<Edi2KeyException>(() => KeyFile.WritePrivate(path, "{}", overwrite: false));
        Assert.Contains("does not exist", e.Message);
    }
}
